"""The decision part of ``processWorkflowAction``: where an action takes a participant, and its status.

Loading, the optimistic lock, writing the Approval and publishing stay with the service; this module
only decides, from the pinned snapshot, or refuses with the reason the caller sees (400).

Two fixes to the original: REJECT with no target at a terminal step yields REJECTED (the original
said APPROVED), and a target that is a FORK is refused while parallel workflows are off (the
original left the participant on the FORK, where every later action failed). Where the spec is
loose: BYPASS and PRINT with no target at a terminal step complete as APPROVED like APPROVE, but
ESCALATE and RETURN with nowhere to go are refused rather than approving the participant.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from plenary_contracts.enums import ApprovalAction, ParticipantStatus, StepType
from workflow_svc.domain.routing import resolve_next_step
from workflow_svc.domain.snapshot import Snapshot, SnapshotStep


class ActionRefused(Exception):
    """The action cannot be taken; ``message`` says why (the service answers 400 BadRequest)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Outcome:
    action: ApprovalAction
    previous_step: SnapshotStep
    next_step_id: str | None  # None when the workflow is complete (the current step is kept)
    status: ParticipantStatus
    is_complete: bool
    forks: bool  # the target is a FORK step: the service opens its branches


def decide(
    snapshot: Snapshot | None,
    current_step_id: str | None,
    action: ApprovalAction,
    data: Mapping[str, Any],
    *,
    routing_enabled: bool,
    parallel_enabled: bool,
    return_step_id: str | None,
    field_types: Mapping[str, str] | None = None,
) -> Outcome:
    """``return_step_id`` is the step of the participant's latest Approval (the RETURN target)."""
    if snapshot is None:
        raise ActionRefused("Participant has no workflow version")
    step = snapshot.step(current_step_id)
    if step is None:
        raise ActionRefused("Current step not found in workflow")
    if step.step_type is StepType.FORK:
        raise ActionRefused("Participant is in parallel branches: act on a branch")

    if action is ApprovalAction.RETURN:
        target_id = return_step_id
    else:
        target_id = resolve_next_step(step, action, data, routing_enabled, field_types)

    if target_id is not None:
        target = snapshot.step(target_id)
        if target is None:
            raise ActionRefused(f'Target step "{target_id}" of action "{action.value}" not found in workflow')
        if target.step_type is StepType.FORK:
            if not parallel_enabled:
                raise ActionRefused(f'Step "{target.name}" is a FORK and FF_PARALLEL_WORKFLOWS is off')
            return Outcome(action, step, target.id, ParticipantStatus.IN_PROGRESS, is_complete=False, forks=True)
        return Outcome(action, step, target.id, ParticipantStatus.IN_PROGRESS, is_complete=False, forks=False)

    if step.is_terminal:
        if action is ApprovalAction.ESCALATE:
            raise ActionRefused(f'Nothing to escalate to: step "{step.name}" has no escalation target')
        if action is ApprovalAction.RETURN:
            raise ActionRefused("Nothing to return to: the participant has no earlier step")
        status = ParticipantStatus.REJECTED if action is ApprovalAction.REJECT else ParticipantStatus.APPROVED
        return Outcome(action, step, None, status, is_complete=True, forks=False)

    raise ActionRefused(f'No target step configured for action "{action.value}" on step "{step.name}"')


def condition_data(
    *,
    first_name: str | None,
    last_name: str | None,
    email: str | None,
    status: str | None,
    organization: str | None,
    job_title: str | None,
    nationality: str | None,
    participant_type_id: str | None,
    participant_type_code: str | None,
    extras: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """The dict conditions read: the participant's own fields shallow-merged with its extras (extras win)."""
    return {
        "firstName": first_name,
        "lastName": last_name,
        "email": email,
        "status": status,
        "organization": organization,
        "jobTitle": job_title,
        "nationality": nationality,
        "participantTypeId": participant_type_id,
        "participantType": participant_type_code,
        **(extras or {}),
    }
