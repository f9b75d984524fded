import pytest
from workflow_svc.domain.decisions import ActionRefused, Outcome, StateConflict, condition_data, decide
from workflow_svc.domain.snapshot import Snapshot, SnapshotStep

from plenary_contracts.enums import ApprovalAction, ParticipantStatus, StepType

A = ApprovalAction
S = ParticipantStatus


def snapshot(*steps: SnapshotStep) -> Snapshot:
    return Snapshot("wf", "Accreditation", steps)


REVIEW = SnapshotStep(
    "review",
    "Review",
    is_entry_point=True,
    next_step_id="approve",
    rejection_target_id="appeal",
    bypass_target_id="print",
    escalation_target_id="chief",
    config={
        "conditionalRoutes": [
            {
                "targetStepId": "vip",
                "priority": 0,
                "condition": {"type": "simple", "field": "vip", "operator": "eq", "value": True},
            }
        ]
    },
)
FINAL = SnapshotStep("print", "Print", step_type=StepType.PRINT, is_terminal=True)
WORKFLOW = snapshot(
    REVIEW,
    SnapshotStep("approve", "Approve", next_step_id="print"),
    SnapshotStep("appeal", "Appeal", next_step_id="review"),
    SnapshotStep("chief", "Chief", next_step_id="print"),
    SnapshotStep("vip", "VIP desk", next_step_id="print"),
    FINAL,
)


def act(
    action,
    step_id="review",
    snap=WORKFLOW,
    data=None,
    routing=False,
    parallel=False,
    returning=None,
    status=S.IN_PROGRESS,
    may_reopen=False,
    join_decides=False,
):
    return decide(
        snap,
        step_id,
        action,
        data or {},
        routing_enabled=routing,
        parallel_enabled=parallel,
        return_step_id=returning,
        status=status,
        may_reopen=may_reopen,
        join_decides=join_decides,
    )


def refused(action, **kwargs) -> str:
    with pytest.raises(ActionRefused) as info:
        act(action, **kwargs)
    assert str(info.value) == info.value.message
    return info.value.message


def test_an_action_with_a_target_moves_the_participant_in_progress():
    assert act(A.APPROVE) == Outcome(A.APPROVE, REVIEW, "approve", S.IN_PROGRESS, is_complete=False, forks=False)


@pytest.mark.parametrize(
    ("action", "target"), [(A.REJECT, "appeal"), (A.BYPASS, "print"), (A.ESCALATE, "chief"), (A.PRINT, "approve")]
)
def test_each_action_follows_its_target_in_progress(action, target):
    outcome = act(action)
    assert (outcome.next_step_id, outcome.status, outcome.is_complete) == (target, S.IN_PROGRESS, False)


def test_reject_with_a_rejection_target_only_moves_the_participant():
    assert act(A.REJECT).status is S.IN_PROGRESS


def test_return_goes_to_the_step_of_the_latest_approval():
    outcome = act(A.RETURN, step_id="approve", returning="review")
    assert (outcome.previous_step.id, outcome.next_step_id, outcome.status) == ("approve", "review", S.IN_PROGRESS)


def test_conditional_routes_apply_only_when_routing_is_enabled():
    assert act(A.APPROVE, data={"vip": True}, routing=True).next_step_id == "vip"
    assert act(A.APPROVE, data={"vip": True}, routing=False).next_step_id == "approve"


def test_approve_at_a_terminal_step_completes_approved_and_keeps_the_step():
    outcome = act(A.APPROVE, step_id="print")
    assert outcome == Outcome(A.APPROVE, FINAL, None, S.APPROVED, is_complete=True, forks=False)


def test_reject_at_a_terminal_step_without_target_completes_rejected():
    # a rejection is never recorded as an approval
    outcome = act(A.REJECT, step_id="print")
    assert (outcome.status, outcome.is_complete, outcome.next_step_id) == (S.REJECTED, True, None)


def test_bypass_at_a_terminal_step_without_target_completes_approved():
    outcome = act(A.BYPASS, step_id="print")
    assert (outcome.status, outcome.is_complete) == (S.APPROVED, True)


def test_print_at_a_terminal_step_without_target_completes_printed():
    outcome = act(A.PRINT, step_id="print")
    assert outcome == Outcome(A.PRINT, FINAL, None, S.PRINTED, is_complete=True, forks=False)


def test_arriving_at_a_terminal_step_leaves_the_participant_in_progress_until_someone_acts_there():
    outcome = act(A.APPROVE, step_id="approve")
    assert (outcome.next_step_id, outcome.status, outcome.is_complete) == ("print", S.IN_PROGRESS, False)


def test_escalate_at_a_terminal_step_without_target_is_refused_not_approved():
    assert refused(A.ESCALATE, step_id="print").startswith("Nothing to escalate to")


def test_return_at_a_terminal_step_without_target_is_refused_not_approved():
    assert refused(A.RETURN, step_id="print").startswith("Nothing to return to")


def test_a_terminal_step_with_a_target_still_moves():
    snap = snapshot(SnapshotStep("end", "End", is_terminal=True, rejection_target_id="fix"), SnapshotStep("fix", "Fix"))
    assert act(A.REJECT, step_id="end", snap=snap).next_step_id == "fix"


def test_no_target_on_a_non_terminal_step_is_refused_naming_the_action_and_the_step():
    snap = snapshot(SnapshotStep("a", "Desk"))
    assert refused(A.BYPASS, step_id="a", snap=snap) == 'No target step configured for action "BYPASS" on step "Desk"'
    assert refused(A.RETURN, step_id="a", snap=snap) == 'No target step configured for action "RETURN" on step "Desk"'


def test_no_workflow_version_is_refused():
    assert refused(A.APPROVE, snap=None) == "Participant has no workflow version"


def test_a_current_step_missing_from_the_snapshot_is_refused():
    assert refused(A.APPROVE, step_id="gone") == "Current step not found in workflow"
    assert refused(A.APPROVE, step_id=None) == "Current step not found in workflow"


def test_a_target_missing_from_the_snapshot_is_refused():
    snap = snapshot(SnapshotStep("a", "A", next_step_id="ghost"))
    assert "ghost" in refused(A.APPROVE, step_id="a", snap=snap)
    assert "elsewhere" in refused(A.RETURN, step_id="a", snap=snap, returning="elsewhere")


FORKED = snapshot(
    SnapshotStep("a", "A", is_entry_point=True, next_step_id="fork"),
    SnapshotStep(
        "fork", "Split", step_type=StepType.FORK, config={"branches": [{"branchStepId": "b1"}], "joinStepId": "j"}
    ),
    SnapshotStep("b1", "Branch"),
    SnapshotStep("j", "Join", step_type=StepType.JOIN, is_terminal=True, config={"strategy": "ALL"}),
)


def test_a_fork_target_forks_in_progress_when_parallel_workflows_are_on():
    outcome = act(A.APPROVE, step_id="a", snap=FORKED, parallel=True)
    assert (outcome.next_step_id, outcome.status, outcome.is_complete, outcome.forks) == (
        "fork",
        S.IN_PROGRESS,
        False,
        True,
    )


def test_a_fork_target_is_refused_while_parallel_workflows_are_off():
    # a participant left on a FORK without branches could take no further action
    assert "FF_PARALLEL_WORKFLOWS is off" in refused(A.APPROVE, step_id="a", snap=FORKED, parallel=False)


def test_acting_on_a_participant_at_a_fork_step_is_refused():
    assert refused(A.APPROVE, step_id="fork", snap=FORKED, parallel=True) == (
        "Participant is in parallel branches: act on a branch"
    )


def test_the_joins_decision_acts_with_the_join_steps_own_rules():
    outcome = act(A.REJECT, step_id="j", snap=FORKED, parallel=True, join_decides=True)
    assert (outcome.status, outcome.is_complete) == (S.REJECTED, True)


# --- finished participants -----------------------------------------------------------------------


def conflict(action, **kwargs) -> str:
    with pytest.raises(StateConflict) as info:
        act(action, **kwargs)
    return info.value.message


@pytest.mark.parametrize("status", [S.APPROVED, S.PRINTED, S.REJECTED])
@pytest.mark.parametrize("action", [a for a in A if a is not A.RETURN])
def test_a_finished_participant_refuses_every_action_but_return_with_a_conflict(status, action):
    message = conflict(action, step_id="print", status=status, may_reopen=True)
    assert (
        message
        == f"Participant has finished its workflow ({status.value}): only a RETURN on the participant reopens it"
    )


def test_a_finished_participant_refuses_a_second_approval_even_where_one_would_move_it():
    assert "finished" in conflict(A.APPROVE, step_id="review", status=S.APPROVED)


def test_a_return_that_may_not_reopen_is_refused_for_a_finished_participant():
    assert "finished" in conflict(A.RETURN, step_id="print", status=S.APPROVED, returning="approve")


def test_a_state_conflict_is_a_refusal_to_whoever_only_asks_whether_the_action_runs():
    assert issubclass(StateConflict, ActionRefused)


def test_a_return_by_a_person_reopens_a_finished_participant_one_step_back_in_progress():
    outcome = act(A.RETURN, step_id="print", status=S.PRINTED, returning="approve", may_reopen=True)
    assert (outcome.next_step_id, outcome.status, outcome.is_complete, outcome.reopens) == (
        "approve",
        S.IN_PROGRESS,
        False,
        True,
    )


def test_a_reopen_with_no_earlier_step_reopens_the_participant_where_it_finished():
    outcome = act(A.RETURN, step_id="print", status=S.REJECTED, returning=None, may_reopen=True)
    assert (outcome.previous_step.id, outcome.next_step_id, outcome.status) == ("print", "print", S.IN_PROGRESS)


@pytest.mark.parametrize("status", [S.PENDING, S.IN_PROGRESS, None])
def test_an_unfinished_participant_is_not_reopened(status):
    assert not act(A.APPROVE, status=status).reopens


# --- return after a join -------------------------------------------------------------------------

BRANCHED = snapshot(
    SnapshotStep("a", "Desk", is_entry_point=True, next_step_id="fork"),
    SnapshotStep(
        "fork",
        "Checks",
        step_type=StepType.FORK,
        config={"branches": [{"branchStepId": "b1"}, {"branchStepId": "b2"}], "joinStepId": "j"},
    ),
    SnapshotStep("b1", "Security"),
    SnapshotStep("b2", "Protocol"),
    SnapshotStep("j", "Joined", step_type=StepType.JOIN, next_step_id="badge", config={"strategy": "ALL"}),
    SnapshotStep("badge", "Badge", step_type=StepType.PRINT, is_terminal=True, next_step_id=None),
    SnapshotStep("late", "Late desk", next_step_id="j"),
)


def test_a_return_from_the_step_after_a_join_goes_back_into_the_fork_for_fresh_branches():
    outcome = act(A.RETURN, step_id="badge", snap=BRANCHED, parallel=True, returning="j")
    assert (outcome.next_step_id, outcome.forks, outcome.status) == ("fork", True, S.IN_PROGRESS)


def test_a_return_to_a_branch_step_goes_back_into_its_fork():
    outcome = act(A.RETURN, step_id="badge", snap=BRANCHED, parallel=True, returning="b2")
    assert (outcome.next_step_id, outcome.forks) == ("fork", True)


def test_a_return_into_a_fork_is_refused_while_parallel_workflows_are_off():
    assert "FF_PARALLEL_WORKFLOWS is off" in refused(A.RETURN, step_id="badge", snap=BRANCHED, returning="j")


def test_reopening_a_participant_finished_after_a_join_goes_back_into_the_fork():
    outcome = act(
        A.RETURN, step_id="badge", snap=BRANCHED, parallel=True, returning="j", status=S.PRINTED, may_reopen=True
    )
    assert (outcome.next_step_id, outcome.forks, outcome.reopens) == ("fork", True, True)


def test_reopening_a_participant_finished_at_a_terminal_join_goes_back_into_the_fork():
    outcome = act(A.RETURN, step_id="j", snap=FORKED, parallel=True, status=S.APPROVED, may_reopen=True)
    assert (outcome.next_step_id, outcome.forks) == ("fork", True)


@pytest.mark.parametrize("action", [A.APPROVE, A.REJECT, A.BYPASS, A.ESCALATE, A.PRINT])
def test_a_plain_action_at_a_join_without_its_decision_is_a_conflict(action):
    message = conflict(action, step_id="j", snap=BRANCHED, parallel=True)
    assert (
        message
        == 'Participant stands at JOIN step "Joined" with no open branches: only RETURN (into its fork) moves it'
    )


def test_a_return_at_a_join_without_its_decision_re_enters_its_fork():
    outcome = act(A.RETURN, step_id="j", snap=BRANCHED, parallel=True, returning="a")
    assert (outcome.next_step_id, outcome.forks) == ("fork", True)


def test_a_forward_action_leading_to_a_join_is_refused():
    assert refused(A.APPROVE, step_id="late", snap=BRANCHED, parallel=True) == (
        'Step "Joined" is a JOIN: a participant reaches it only when its fork\'s branches decide'
    )


def test_the_fork_around_a_step_is_the_fork_of_its_branches_and_its_join():
    assert [BRANCHED.fork_around(s) for s in ("b1", "b2", "j")] == [BRANCHED.step("fork")] * 3
    assert BRANCHED.fork_around("a") is None and BRANCHED.fork_around("fork") is None


def test_condition_data_has_the_participants_fields_and_extras_win():
    data = condition_data(
        first_name="Ada",
        last_name="Lovelace",
        email="ada@example.org",
        status="PENDING",
        organization="AE",
        job_title="Analyst",
        nationality="GB",
        participant_type_id="pt1",
        participant_type_code="DELEGATE",
        extras={"passportNumber": "X1", "organization": "Override"},
    )
    assert data == {
        "firstName": "Ada",
        "lastName": "Lovelace",
        "email": "ada@example.org",
        "status": "PENDING",
        "organization": "Override",
        "jobTitle": "Analyst",
        "nationality": "GB",
        "participantTypeId": "pt1",
        "participantType": "DELEGATE",
        "passportNumber": "X1",
    }
