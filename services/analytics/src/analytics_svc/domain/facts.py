"""What the projections learn from the owners' events, as plain facts (the application translates events)."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ParticipantSeen:
    """Registration's record of a participant: registered, or changed (its status included)."""

    tenant_id: str
    participant_id: str
    event_id: str
    participant_type_id: str
    status: str
    registered_at: datetime
    at: datetime  # the record's updated_at


@dataclass(frozen=True)
class ParticipantGone:
    """Deleted, or merged into another participant: registration no longer counts it."""

    tenant_id: str
    participant_id: str
    event_id: str
    at: datetime


@dataclass(frozen=True)
class StatusDecided:
    """Workflow moved a participant's status (every action); ``version`` orders workflow's own changes."""

    tenant_id: str
    participant_id: str
    event_id: str
    status: str
    version: int
    at: datetime


@dataclass(frozen=True)
class StepActed:
    """An action at a step (APPROVE, REJECT, BYPASS, RETURN, ESCALATE, PRINT) or an SLA notice."""

    tenant_id: str
    participant_id: str
    event_id: str
    step_id: str
    step_name: str
    kind: str
    at: datetime


@dataclass(frozen=True)
class Scanned:
    tenant_id: str
    event_id: str
    checkpoint_id: str
    movement: str  # "in" or "out" when admitted, "" when refused
    scan_result: str
    at: datetime


@dataclass(frozen=True)
class Used:
    """A feature's outcome counted ``amount`` times (a broadcast's delivered messages, a waitlist offer...)."""

    tenant_id: str
    event_id: str
    kind: str
    amount: int
    at: datetime


@dataclass(frozen=True)
class EventSeen:
    tenant_id: str
    event_id: str
    name: str
    deleted: bool
    at: datetime


@dataclass(frozen=True)
class WorkflowSeen:
    tenant_id: str
    workflow_id: str
    event_id: str
    deleted: bool
    at: datetime


Fact = ParticipantSeen | ParticipantGone | StatusDecided | StepActed | Scanned | Used | EventSeen | WorkflowSeen
