"""Batch workflow actions: which participants an action can be taken on, and the chunks.

Eligibility reads the participant's state and the step's fixed targets only: the
engine call that executes the action has the last word (conditional routes, a FORK target while
parallel workflows are off). A batch never reopens a finished participant, RETURN included: that is
a RETURN on the participant itself.
"""

from collections.abc import Sequence

from plenary_contracts.enums import ApprovalAction, ParticipantStatus, StepType
from workflow_svc.domain.snapshot import Snapshot

from .decisions import is_finished

CHUNK_SIZE = 20


def ineligibility(
    snapshot: Snapshot | None,
    current_step_id: str | None,
    action: ApprovalAction,
    *,
    return_step_id: str | None = None,
    status: ParticipantStatus | None = None,
) -> str | None:
    """Why ``action`` cannot be taken on a participant at ``current_step_id`` with ``status``, or None when
    it can."""
    if is_finished(status):
        assert status is not None
        return f"Participant has finished its workflow ({status.value})"
    if snapshot is None:
        return "No workflow version assigned"
    if current_step_id is None:
        return "No current step"
    step = snapshot.step(current_step_id)
    if step is None:
        return "Current step not found in workflow"
    if step.step_type is StepType.FORK:
        return "Participant is in parallel branches: act on a branch"
    if step.step_type is StepType.JOIN and action is not ApprovalAction.RETURN:
        return "Participant stands at a JOIN with no open branches: only RETURN moves it"
    match action:
        case ApprovalAction.APPROVE:
            if step.next_step_id is None and not step.is_terminal:
                return "Current step has no next step and is not terminal"
        case ApprovalAction.REJECT:
            if step.rejection_target_id is None:
                return "Current step has no rejection target"
        case ApprovalAction.BYPASS:
            if step.bypass_target_id is None:
                return "Current step has no bypass target"
        case ApprovalAction.RETURN:
            if return_step_id is None:
                return "No earlier step to return to"
        case _:
            return "Unsupported action"
    return None


def chunks(ids: Sequence[str], size: int = CHUNK_SIZE) -> list[list[str]]:
    if size < 1:
        raise ValueError("chunk size must be at least 1")
    return [list(ids[i : i + size]) for i in range(0, len(ids), size)]
