"""The decision of a scan at a checkpoint: admitted, refused, and why. Every outcome is logged by the service.

The checks run in a fixed order, and the first that fails answers:

1. the payload is a badge of ours, signed by a key of its tenant (else INVALID);
2. the badge's tenant is the scanner's (else INVALID, "different organisation");
3. the participant is known (else INVALID);
4. the participant is not CANCELLED or REJECTED, and the badge is the participant's newest (a reissue
   increments the generation), else REVOKED;
5. the event has not ended (else EXPIRED);
6. the checkpoint exists and is active (else INVALID);
7. the badge's event is the checkpoint's event, and the participant's type may enter the checkpoint's zone
   (else INVALID): a badge for one event never opens another's gates;
8. the checkpoint's re-entry policy (else ALREADY_SCANNED);
9. admitted: VALID, or MANUAL_OVERRIDE whenever staff gave a reason.

A reason overrules step 8 only: it admits someone the re-entry policy would turn back (lost the wristband,
left without scanning out), never a revoked, expired or foreign badge.

Which way a scan moves someone. An entry checkpoint admits in, an exit one out. A bidirectional checkpoint
lets out whoever is inside and in whoever is not, so the head count follows people through a single door
instead of growing by one at every pass. The re-entry policy applies to the way in only: leaving is always
allowed. Anti-passback: an entry while the access log already has the person inside (in without an exit
since) raises an alert whatever the policy; the AFTER_EXIT policy refuses it, and so does any policy at a
checkpoint set to refuse passback (a reason overrules that refusal like the re-entry policy's).

"Today" for ONCE_PER_DAY is the event's calendar day in the event's timezone, not the server's.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from plenary_contracts.enums import CheckpointDirection, ParticipantStatus, ReentryPolicy, ScanResult

from .badges import Badge, BadgeUnreadable

REVOKED_STATUSES = frozenset({ParticipantStatus.CANCELLED, ParticipantStatus.REJECTED})
ADMITTED = frozenset({ScanResult.VALID, ScanResult.MANUAL_OVERRIDE})


class Reason(StrEnum):
    """Why a scan was answered as it was: a machine-readable companion to the result."""

    UNREADABLE = "unreadable"
    OTHER_TENANT = "other_tenant"
    UNKNOWN_PARTICIPANT = "unknown_participant"
    PARTICIPANT_REVOKED = "participant_revoked"
    BADGE_REPLACED = "badge_replaced"
    EVENT_ENDED = "event_ended"
    UNKNOWN_CHECKPOINT = "unknown_checkpoint"
    CHECKPOINT_INACTIVE = "checkpoint_inactive"
    OTHER_EVENT = "other_event"
    ZONE_NOT_ALLOWED = "zone_not_allowed"
    ALREADY_TODAY = "already_today"
    ALREADY_ONCE = "already_once"
    STILL_INSIDE = "still_inside"
    ADMITTED = "admitted"
    OVERRIDDEN = "overridden"


class Movement(StrEnum):
    IN = "in"
    OUT = "out"


@dataclass(frozen=True)
class Participant:
    """What checkin's read model holds of a participant."""

    id: str
    tenant_id: str
    event_id: str
    status: ParticipantStatus
    type_id: str | None
    badge_generation: int = 0


@dataclass(frozen=True)
class Event:
    id: str
    ends_at: datetime
    timezone: str = "UTC"


@dataclass(frozen=True)
class Checkpoint:
    id: str
    tenant_id: str
    event_id: str
    is_active: bool
    direction: CheckpointDirection
    reentry: ReentryPolicy = ReentryPolicy.ONCE_PER_DAY
    zone_id: str | None = None
    allowed_type_ids: frozenset[str] | None = None  # None: every participant type may enter
    refuse_passback: bool = False  # refuse an entry while inside (the alert is raised either way)


@dataclass(frozen=True)
class History:
    """What the access log says of this participant: the latest admission in (an entry) at this checkpoint, and
    whether the latest admission in the checkpoint's zone (the venue when it has none) was a way in. Leaving
    through a bidirectional door is not an entry: the re-entry policy counts the ways in."""

    last_admitted_here: datetime | None = None
    inside: bool = False


@dataclass(frozen=True)
class Decision:
    result: ScanResult
    reason: Reason
    movement: Movement | None = None  # admitted scans only
    passback: bool = False  # an entry while already inside: the service raises an alert

    @property
    def admitted(self) -> bool:
        return self.result in ADMITTED


def decide(
    *,
    badge: Badge | BadgeUnreadable,
    tenant_id: str,
    participant: Participant | None,
    event: Event | None,
    checkpoint: Checkpoint | None,
    history: History,
    now: datetime,
    override_reason: str | None = None,
) -> Decision:
    """The scan's outcome, by the rules in this module's docstring. ``participant`` and ``event`` are what the
    read model holds for the badge's participant and event (None when unknown)."""
    if isinstance(badge, BadgeUnreadable):
        return Decision(ScanResult.INVALID, Reason.UNREADABLE)
    if badge.tenant_id != tenant_id:
        return Decision(ScanResult.INVALID, Reason.OTHER_TENANT)
    if participant is None or participant.tenant_id != tenant_id:
        return Decision(ScanResult.INVALID, Reason.UNKNOWN_PARTICIPANT)
    return admit(
        participant,
        event,
        checkpoint,
        history,
        now=now,
        event_id=badge.event_id,
        generation=badge.generation,
        override_reason=override_reason,
    )


def admit(
    participant: Participant,
    event: Event | None,
    checkpoint: Checkpoint | None,
    history: History,
    *,
    now: datetime,
    event_id: str | None = None,
    generation: int | None = None,
    override_reason: str | None = None,
) -> Decision:
    """Steps 4 to 9 for a known participant: a badge's (``event_id`` and ``generation`` from it) or one typed
    in by staff (manual entry by registration code, which has neither, so no badge can be stale)."""
    if participant.status in REVOKED_STATUSES:
        return Decision(ScanResult.REVOKED, Reason.PARTICIPANT_REVOKED)
    if generation is not None and generation < participant.badge_generation:
        return Decision(ScanResult.REVOKED, Reason.BADGE_REPLACED)
    if event is not None and event.ends_at < now:
        return Decision(ScanResult.EXPIRED, Reason.EVENT_ENDED)
    if checkpoint is None or checkpoint.tenant_id != participant.tenant_id:
        return Decision(ScanResult.INVALID, Reason.UNKNOWN_CHECKPOINT)
    if not checkpoint.is_active:
        return Decision(ScanResult.INVALID, Reason.CHECKPOINT_INACTIVE)
    if checkpoint.event_id != participant.event_id or event_id not in (None, participant.event_id):
        return Decision(ScanResult.INVALID, Reason.OTHER_EVENT)
    if checkpoint.allowed_type_ids is not None and participant.type_id not in checkpoint.allowed_type_ids:
        return Decision(ScanResult.INVALID, Reason.ZONE_NOT_ALLOWED)
    movement = movement_at(checkpoint.direction, inside=history.inside)
    passback = movement is Movement.IN and history.inside
    if movement is Movement.IN:
        refusal = _reentry_refusal(checkpoint.reentry, history, now, event.timezone if event else "UTC")
        if refusal is None and passback and checkpoint.refuse_passback:
            refusal = Reason.STILL_INSIDE
        if refusal is not None and not override_reason:
            return Decision(ScanResult.ALREADY_SCANNED, refusal, passback=passback)
    if override_reason:
        return Decision(ScanResult.MANUAL_OVERRIDE, Reason.OVERRIDDEN, movement, passback)
    return Decision(ScanResult.VALID, Reason.ADMITTED, movement, passback)


def movement_at(direction: CheckpointDirection, *, inside: bool) -> Movement:
    if direction is CheckpointDirection.ENTRY:
        return Movement.IN
    if direction is CheckpointDirection.EXIT:
        return Movement.OUT
    return Movement.OUT if inside else Movement.IN


def _reentry_refusal(policy: ReentryPolicy, history: History, now: datetime, timezone: str) -> Reason | None:
    last = history.last_admitted_here
    if policy is ReentryPolicy.ONCE_PER_DAY:
        if last is not None and last >= start_of_day(now, timezone):
            return Reason.ALREADY_TODAY
    elif policy is ReentryPolicy.ONCE:
        if last is not None:
            return Reason.ALREADY_ONCE
    elif policy is ReentryPolicy.AFTER_EXIT:
        if history.inside:
            return Reason.STILL_INSIDE
    return None


def start_of_day(now: datetime, timezone: str) -> datetime:
    """Midnight of ``now``'s calendar day in ``timezone`` (an aware instant)."""
    local = now.astimezone(ZoneInfo(timezone))
    return local.replace(hour=0, minute=0, second=0, microsecond=0)
