import pytest
from workflow_svc.domain.engine import ActionRefused, Outcome, condition_data, decide
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


def act(action, step_id="review", snap=WORKFLOW, data=None, routing=False, parallel=False, returning=None):
    return decide(
        snap,
        step_id,
        action,
        data or {},
        routing_enabled=routing,
        parallel_enabled=parallel,
        return_step_id=returning,
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
    # ⚠ fix: the original said APPROVED
    outcome = act(A.REJECT, step_id="print")
    assert (outcome.status, outcome.is_complete, outcome.next_step_id) == (S.REJECTED, True, None)


@pytest.mark.parametrize("action", [A.BYPASS, A.PRINT])
def test_bypass_and_print_at_a_terminal_step_without_target_complete_approved(action):
    outcome = act(action, step_id="print")
    assert (outcome.status, outcome.is_complete) == (S.APPROVED, True)


def test_escalate_at_a_terminal_step_without_target_is_refused_not_approved():
    assert refused(A.ESCALATE, step_id="print").startswith("Nothing to escalate to")


def test_return_at_a_terminal_step_without_target_is_refused_not_approved():
    assert refused(A.RETURN, step_id="print").startswith("Nothing to return to")


def test_a_terminal_step_with_a_target_still_moves():
    snap = snapshot(SnapshotStep("end", "End", is_terminal=True, rejection_target_id="fix"), SnapshotStep("fix", "Fix"))
    assert act(A.REJECT, step_id="end", snap=snap).next_step_id == "fix"


def test_no_target_on_a_non_terminal_step_is_refused_with_the_original_wording():
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
    # ⚠ fix: the original stranded the participant on the FORK step
    assert "FF_PARALLEL_WORKFLOWS is off" in refused(A.APPROVE, step_id="a", snap=FORKED, parallel=False)


def test_acting_on_a_participant_at_a_fork_step_is_refused():
    assert refused(A.APPROVE, step_id="fork", snap=FORKED, parallel=True) == (
        "Participant is in parallel branches: act on a branch"
    )


def test_the_join_step_acts_with_its_own_rules():
    outcome = act(A.REJECT, step_id="j", snap=FORKED, parallel=True)
    assert (outcome.status, outcome.is_complete) == (S.REJECTED, True)


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
