"""The owners' events, translated into the facts the projections fold (one place knows their payloads)."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from plenary_contracts.catalog import checkin, comms, delegation, events, registration, webhooks, workflow
from plenary_contracts.envelope import CloudEvent
from plenary_contracts.events import EventSpec

from ..domain.facts import (
    EventSeen,
    Fact,
    ParticipantGone,
    ParticipantSeen,
    Scanned,
    StatusDecided,
    StepActed,
    Used,
    WorkflowSeen,
)

Translate = Callable[[str, datetime, Any], list[Fact]]


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)


def _participant(tenant: str, at: datetime, p: registration.ParticipantChanged) -> list[Fact]:
    r = p.participant
    if r.tenant_id != tenant:
        return []  # a record of another tenant than its event's is never counted
    return [
        ParticipantSeen(
            tenant, r.id, r.event_id, r.participant_type_id, r.status.value, _utc(r.created_at), _utc(r.updated_at)
        )
    ]


def _deleted(tenant: str, at: datetime, p: registration.ParticipantDeleted) -> list[Fact]:
    return [ParticipantGone(tenant, p.participant_id, p.event_id, at)]


def _merged(tenant: str, at: datetime, p: registration.ParticipantMerged) -> list[Fact]:
    return [ParticipantGone(tenant, merged, p.event_id, at) for merged in p.merged_ids]


def _status(tenant: str, at: datetime, p: workflow.ParticipantActed) -> list[Fact]:
    return [StatusDecided(tenant, p.participant_id, p.event_id, p.status.value, p.version, at)]


def _acted(tenant: str, at: datetime, p: workflow.ParticipantActed) -> list[Fact]:
    return [StepActed(tenant, p.participant_id, p.event_id, p.step_id, p.step_name, p.action.value, at)]


def _sla(kind: str) -> Translate:
    def translate(tenant: str, at: datetime, p: workflow.SlaNotice) -> list[Fact]:
        return [StepActed(tenant, p.participant_id, p.event_id, p.step_id, p.step_name, kind, at)]

    return translate


def _scan(tenant: str, at: datetime, p: checkin.ScanCompleted) -> list[Fact]:
    s = p.scan
    return [Scanned(tenant, s.event_id, s.checkpoint_id, s.movement or "", s.scan_result.value, _utc(s.scanned_at))]


def _event(deleted: bool) -> Translate:
    def translate(tenant: str, at: datetime, p: Any) -> list[Fact]:
        if deleted:
            return [EventSeen(tenant, p.event_id, "", True, at)]
        if p.event.tenant_id != tenant:
            return []
        return [EventSeen(tenant, p.event.id, p.event.name, False, _utc(p.event.updated_at))]

    return translate


def _workflow(deleted: bool) -> Translate:
    def translate(tenant: str, at: datetime, p: workflow.WorkflowChanged) -> list[Fact]:
        w = p.workflow
        if w.tenant_id != tenant:
            return []
        return [WorkflowSeen(tenant, w.id, w.event_id, deleted, at if deleted else _utc(w.updated_at))]

    return translate


def _used(kind: str, event_of: Callable[[Any], str | None]) -> Translate:
    def translate(tenant: str, at: datetime, p: Any) -> list[Fact]:
        return [Used(tenant, event_of(p) or "", kind, 1, at)]

    return translate


def _broadcast_sent(tenant: str, at: datetime, p: comms.BroadcastChanged) -> list[Fact]:
    b = p.broadcast
    event_id = b.event_id or ""
    return [
        Used(tenant, event_id, kind, amount, at)
        for kind, amount in (
            ("broadcast.sent", 1),
            ("broadcast.delivered", b.delivered_count),
            ("broadcast.failed", b.failed_count),
            ("broadcast.bounced", b.bounced_count),
        )
        if amount
    ]


def _verb(spec: EventSpec) -> str:
    return spec.subject.split(".", 2)[2]  # evt.<producer>.<entity>.<verb> -> <entity>.<verb>


def _translations() -> dict[str, Translate]:
    out: dict[str, Translate] = {
        registration.PARTICIPANT_REGISTERED.type: _participant,
        registration.PARTICIPANT_UPDATED.type: _participant,
        registration.PARTICIPANT_DELETED.type: _deleted,
        registration.PARTICIPANT_MERGED.type: _merged,
        workflow.PARTICIPANT_STATUS_CHANGED.type: _status,
        workflow.SLA_WARNING.type: _sla("SLA_WARNING"),
        workflow.SLA_BREACHED.type: _sla("SLA_BREACHED"),
        checkin.SCAN_COMPLETED.type: _scan,
        events.EVENT_CREATED.type: _event(False),
        events.EVENT_UPDATED.type: _event(False),
        events.EVENT_DELETED.type: _event(True),
        workflow.WORKFLOW_CREATED.type: _workflow(False),
        workflow.WORKFLOW_UPDATED.type: _workflow(False),
        workflow.WORKFLOW_DELETED.type: _workflow(True),
        comms.BROADCAST_SENT.type: _broadcast_sent,
    }
    for spec in workflow.ACTED_EVENTS.values():
        out[spec.type] = _acted
    waitlist = [spec for spec in registration.EVENTS if spec.entity == "waitlist"]
    for spec in waitlist:
        out[spec.type] = _used(_verb(spec), lambda p: p.entry.event_id)
    for spec in delegation.EVENTS:
        if spec.entity == "invite":
            out[spec.type] = _used("delegation." + _verb(spec), lambda p: p.invite.event_id)
    for spec in (webhooks.CIRCUIT_BREAKER_OPENED, webhooks.SUBSCRIPTION_SUSPENDED, webhooks.SUBSCRIPTION_DISABLED):
        out[spec.type] = _used("webhooks." + _verb(spec), lambda p: None)
    return out


TRANSLATIONS = _translations()


def facts_of(event: CloudEvent, payload: Any) -> list[Fact]:
    """The facts an event carries; none for a type the projections ignore or an event without a tenant."""
    translate = TRANSLATIONS.get(event.type)
    if translate is None or event.tenantid is None:
        return []
    return translate(event.tenantid, _utc(event.time), payload)
