"""The decision part of an action on a participant: where an action takes a participant, and its status.

Loading, the optimistic lock, writing the Approval and publishing stay with the service; this module
only decides, from the pinned snapshot, or refuses: ``ActionRefused`` when the workflow does not allow
the action (400), ``StateConflict`` when the participant's state does not (409 with the current state).

How a participant finishes. Arriving at a terminal step does not finish it: a terminal step is still a
step where someone acts (the final review, the badge print), so the participant stays IN_PROGRESS and
incomplete there. The action at the terminal step with no target finishes it: APPROVE and BYPASS as
APPROVED, PRINT as PRINTED, REJECT as REJECTED (a rejection is never recorded as an approval). ESCALATE and RETURN with
nowhere to go are refused rather than approving the participant.

A finished participant (APPROVED, PRINTED or REJECTED, whether by this engine or by registration)
refuses every action with a conflict, so a repeated or concurrent approval never completes it twice
and a late REJECT never flips an approval. The one way back is a reopen: RETURN taken by a person on
that participant (``may_reopen``; batches and timers never reopen). It goes back a step, to the step
of the latest approval taken elsewhere (so a JOIN, whose rule follows), or, when there is none, to
the step where the participant finished; the participant is IN_PROGRESS there again.

Fork and join. A FORK target opens fresh branches; a participant at a FORK acts on branches only. A
JOIN is reached only when the branches decide (``join_decides``): a RETURN that leads into a fork's
part (its JOIN, or a branch step) goes back to the FORK, for a fresh round of branches, so a RETURN
from the step after a JOIN never skips the parallel review; any other action leading to a JOIN is
refused, and a participant found standing at a JOIN without a decision (moved there by data
older than this rule) may only RETURN, which re-opens its fork. A FORK target is refused while
parallel workflows are off: a participant left on a FORK with no branches could take no further action.
"""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from plenary_contracts.enums import ApprovalAction, ParticipantStatus, StepType
from workflow_svc.domain.routing import resolve_next_step
from workflow_svc.domain.snapshot import Snapshot, SnapshotStep

FINISHED = frozenset({ParticipantStatus.APPROVED, ParticipantStatus.PRINTED, ParticipantStatus.REJECTED})

_FINISHED_AS = {ApprovalAction.REJECT: ParticipantStatus.REJECTED, ApprovalAction.PRINT: ParticipantStatus.PRINTED}


class ActionRefused(Exception):
    """The workflow does not allow the action; ``message`` says why (the service answers 400 BadRequest)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class StateConflict(ActionRefused):
    """The participant's state does not allow the action (the service answers 409 with the current state)."""


@dataclass(frozen=True)
class Outcome:
    action: ApprovalAction
    previous_step: SnapshotStep
    next_step_id: str | None  # None when the workflow is complete (the current step is kept)
    status: ParticipantStatus
    is_complete: bool
    forks: bool  # the target is a FORK step: the service opens its branches
    reopens: bool = False  # a RETURN that reopened a finished participant


def is_finished(status: ParticipantStatus | None) -> bool:
    return status in FINISHED


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
    status: ParticipantStatus | None = None,
    may_reopen: bool = False,
    join_decides: bool = False,
) -> Outcome:
    """``return_step_id`` is the step of the participant's latest Approval taken at another step than
    the current one (the RETURN target); ``status`` its current status; ``may_reopen`` that a person
    takes the action on this participant; ``join_decides`` that the action is a JOIN's decision."""
    reopening = is_finished(status)
    if reopening and not (action is ApprovalAction.RETURN and may_reopen):
        assert status is not None
        raise StateConflict(
            f"Participant has finished its workflow ({status.value}): only a RETURN on the participant reopens it"
        )
    if snapshot is None:
        raise ActionRefused("Participant has no workflow version")
    step = snapshot.step(current_step_id)
    if step is None:
        raise ActionRefused("Current step not found in workflow")
    if reopening:
        return replace(_enter(snapshot, step, action, return_step_id or step.id, parallel_enabled), reopens=True)
    if step.step_type is StepType.FORK:
        raise ActionRefused("Participant is in parallel branches: act on a branch")
    if step.step_type is StepType.JOIN and not join_decides:
        if action is ApprovalAction.RETURN:
            return _enter(snapshot, step, action, step.id, parallel_enabled)
        raise StateConflict(
            f'Participant stands at JOIN step "{step.name}" with no open branches: only RETURN (into its fork) moves it'
        )

    if action is ApprovalAction.RETURN:
        target_id = return_step_id
    else:
        target_id = resolve_next_step(step, action, data, routing_enabled, field_types)

    if target_id is not None:
        return _enter(snapshot, step, action, target_id, parallel_enabled)

    if step.is_terminal:
        if action is ApprovalAction.ESCALATE:
            raise ActionRefused(f'Nothing to escalate to: step "{step.name}" has no escalation target')
        if action is ApprovalAction.RETURN:
            raise ActionRefused("Nothing to return to: the participant has no earlier step")
        finished_as = _FINISHED_AS.get(action, ParticipantStatus.APPROVED)
        return Outcome(action, step, None, finished_as, is_complete=True, forks=False)

    raise ActionRefused(f'No target step configured for action "{action.value}" on step "{step.name}"')


def _enter(
    snapshot: Snapshot, step: SnapshotStep, action: ApprovalAction, target_id: str, parallel_enabled: bool
) -> Outcome:
    """Moving from ``step`` to ``target_id``. A RETURN into a fork's part (a branch step or the JOIN)
    goes back to the FORK itself; a FORK target forks."""
    target = snapshot.step(target_id)
    if target is None:
        raise ActionRefused(f'Target step "{target_id}" of action "{action.value}" not found in workflow')
    if action is ApprovalAction.RETURN:
        fork = snapshot.fork_around(target.id)
        if fork is None and target.step_type is StepType.JOIN:
            raise ActionRefused(f'No FORK step joins at JOIN step "{target.name}": nothing to return into')
        target = fork or target
    elif target.step_type is StepType.JOIN:
        raise ActionRefused(
            f'Step "{target.name}" is a JOIN: a participant reaches it only when its fork\'s branches decide'
        )
    if target.step_type is StepType.FORK:
        if not parallel_enabled:
            raise ActionRefused(f'Step "{target.name}" is a FORK and FF_PARALLEL_WORKFLOWS is off')
        return Outcome(action, step, target.id, ParticipantStatus.IN_PROGRESS, is_complete=False, forks=True)
    return Outcome(action, step, target.id, ParticipantStatus.IN_PROGRESS, is_complete=False, forks=False)


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
