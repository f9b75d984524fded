import pytest
from workflow_svc.domain.batch import chunks, ineligibility
from workflow_svc.domain.snapshot import Snapshot, SnapshotStep

from plenary_contracts.enums import ApprovalAction, ParticipantStatus, StepType

A = ApprovalAction

SNAP = Snapshot(
    "wf",
    "Workflow",
    (
        SnapshotStep("full", "Full", next_step_id="end", rejection_target_id="end", bypass_target_id="end"),
        SnapshotStep("bare", "Bare"),
        SnapshotStep("end", "End", is_terminal=True),
        SnapshotStep("fork", "Fork", step_type=StepType.FORK, config={"branches": [{"branchStepId": "bare"}]}),
        SnapshotStep("join", "Join", step_type=StepType.JOIN, next_step_id="end", config={"strategy": "ALL"}),
    ),
)


def reason(step_id, action, snap=SNAP, returning=None, status=None):
    return ineligibility(snap, step_id, action, return_step_id=returning, status=status)


def test_no_version_is_ineligible():
    assert reason("full", A.APPROVE, snap=None) == "No workflow version assigned"


def test_no_current_step_is_ineligible():
    assert reason(None, A.APPROVE) == "No current step"


def test_a_step_missing_from_the_snapshot_is_ineligible():
    assert reason("gone", A.APPROVE) == "Current step not found in workflow"


@pytest.mark.parametrize("action", [A.APPROVE, A.REJECT, A.BYPASS])
def test_a_step_with_every_target_is_eligible(action):
    assert reason("full", action) is None


def test_approve_needs_a_next_step_or_a_terminal_step():
    assert reason("end", A.APPROVE) is None
    assert reason("bare", A.APPROVE) == "Current step has no next step and is not terminal"


def test_reject_needs_a_rejection_target():
    assert reason("bare", A.REJECT) == "Current step has no rejection target"
    assert reason("end", A.REJECT) == "Current step has no rejection target"


def test_bypass_needs_a_bypass_target():
    assert reason("bare", A.BYPASS) == "Current step has no bypass target"


def test_return_needs_a_target():
    assert reason("bare", A.RETURN) == "No earlier step to return to"
    assert reason("bare", A.RETURN, returning="full") is None


@pytest.mark.parametrize("action", [A.ESCALATE, A.PRINT])
def test_other_actions_are_unsupported(action):
    assert reason("full", action) == "Unsupported action"


def test_a_participant_at_a_fork_is_ineligible():
    assert reason("fork", A.APPROVE) == "Participant is in parallel branches: act on a branch"


def test_ids_are_cut_into_chunks_of_twenty():
    ids = [str(i) for i in range(45)]
    parts = chunks(ids)
    assert [len(p) for p in parts] == [20, 20, 5]
    assert [i for p in parts for i in p] == ids


def test_chunks_of_nothing_is_no_chunk():
    assert chunks([]) == []
    assert chunks(["a", "b", "c"], size=2) == [["a", "b"], ["c"]]


def test_a_chunk_size_below_one_is_an_error():
    with pytest.raises(ValueError):
        chunks(["a"], size=0)


@pytest.mark.parametrize("status", [ParticipantStatus.APPROVED, ParticipantStatus.PRINTED, ParticipantStatus.REJECTED])
@pytest.mark.parametrize("action", [A.APPROVE, A.REJECT, A.BYPASS, A.RETURN])
def test_a_finished_participant_is_ineligible_for_every_batch_action_return_included(status, action):
    assert reason("end", action, returning="full", status=status) == (
        f"Participant has finished its workflow ({status.value})"
    )


@pytest.mark.parametrize("status", [ParticipantStatus.PENDING, ParticipantStatus.IN_PROGRESS])
def test_an_unfinished_participant_at_a_terminal_step_is_eligible_for_approve(status):
    assert reason("end", A.APPROVE, status=status) is None


def test_a_participant_at_a_join_is_ineligible_for_all_but_return():
    assert reason("join", A.APPROVE) == "Participant stands at a JOIN with no open branches: only RETURN moves it"
    assert reason("join", A.RETURN, returning="full") is None
