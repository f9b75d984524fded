"""SLA timers of a step: when a participant arriving at it is warned about and breaches, and what a
breach does to it."""

from datetime import datetime, timedelta

from plenary_contracts.enums import ApprovalAction, SlaAction
from workflow_svc.domain.snapshot import SnapshotStep

_BREACH_ACTIONS = {
    SlaAction.ESCALATE: ApprovalAction.ESCALATE,
    SlaAction.AUTO_APPROVE: ApprovalAction.APPROVE,
    SlaAction.AUTO_REJECT: ApprovalAction.REJECT,
}


def sla_times(step: SnapshotStep, arrived_at: datetime) -> tuple[datetime | None, datetime | None]:
    """(warn_at, due_at); both None when the step has no SLA (a duration below one minute counts as none)."""
    duration = step.sla_duration_minutes
    if duration is None or duration < 1:
        return None, None
    warning = step.sla_warning_minutes
    warn_at = arrived_at + timedelta(minutes=warning) if warning is not None else None
    return warn_at, arrived_at + timedelta(minutes=duration)


def breach_action(step: SnapshotStep) -> ApprovalAction | None:
    """The engine action a breach takes; None for NOTIFY, REASSIGN (events only) and no SLA action."""
    try:
        sla_action = SlaAction(step.sla_action) if step.sla_action is not None else None
    except ValueError:
        return None
    return _BREACH_ACTIONS.get(sla_action) if sla_action is not None else None
