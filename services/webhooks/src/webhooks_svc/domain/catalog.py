"""The bus events that become public webhook events, and the public payload each one delivers.

Each public type has one stable shape (its JSON Schema is in the contracts' public catalog); it is built here
from the producer's event data, field by field, so an internal field never leaks and an internal rename is
caught by a test rather than by a receiver. (The workflow service publishes ``status_changed`` besides each
action's own event, so ``participant.approved`` and ``participant.status_changed`` both follow an approval.)
Every public event's id is derived from the
bus event's id and the public type, so a redelivered or replayed bus event gives the same ids again.
"""

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

WILDCARD = "*"
TEST_PING = "test.ping"
Data = Mapping[str, Any]
Projector = Callable[[Data, datetime], dict[str, Any]]


@dataclass(frozen=True)
class PublicEvent:
    event_id: uuid.UUID
    type: str
    data: dict[str, Any]


def _registered(d: Data, at: datetime) -> dict[str, Any]:
    p = d["participant"]
    return {
        "participantId": p["id"],
        "eventId": p["eventId"],
        "participantTypeId": p["participantTypeId"],
        "registrationCode": p["registrationCode"],
        "firstName": p["firstName"],
        "lastName": p["lastName"],
        "email": p.get("email"),
        "organization": p.get("organization"),
        "status": p["status"],
        "registeredAt": p["createdAt"],
    }


def _decision(d: Data, at: datetime) -> dict[str, Any]:
    return {
        "participantId": d["participantId"],
        "participantName": d["participantName"],
        "registrationCode": d["registrationCode"],
        "eventId": d["eventId"],
        "workflowId": d["workflowId"],
        "stepId": d["stepId"],
        "stepName": d["stepName"],
        "action": d["action"],
        "previousStatus": d["previousStatus"],
        "status": d["status"],
        "nextStepId": d.get("nextStepId"),
        "isComplete": d["isComplete"],
        "remarks": d.get("remarks"),
        "automatic": bool(d.get("autoAction", False)),
    }


def _minutes_between(earlier: datetime, later: datetime) -> int:
    return max(0, round((later - earlier).total_seconds() / 60))


def _sla(d: Data) -> dict[str, Any]:
    return {
        "participantId": d["participantId"],
        "participantName": d["participantName"],
        "eventId": d["eventId"],
        "workflowId": d["workflowId"],
        "stepId": d["stepId"],
        "stepName": d["stepName"],
        "dueAt": d["dueAt"],
    }


def _sla_warning(d: Data, at: datetime) -> dict[str, Any]:
    due = datetime.fromisoformat(d["dueAt"])
    return {**_sla(d), "remainingMinutes": _minutes_between(at, due), "assigneeId": d.get("assigneeId")}


def _sla_breached(d: Data, at: datetime) -> dict[str, Any]:
    due = datetime.fromisoformat(d["dueAt"])
    return {**_sla(d), "overdueMinutes": _minutes_between(due, at), "assigneeId": d.get("assigneeId")}


def _published(d: Data, at: datetime) -> dict[str, Any]:
    return {
        "workflowId": d["workflowId"],
        "eventId": d["eventId"],
        "name": d["name"],
        "versionId": d["versionId"],
        "version": d["version"],
        "stepCount": d["stepCount"],
    }


def _forked(d: Data, at: datetime) -> dict[str, Any]:
    return {
        "participantId": d["participantId"],
        "participantName": d["participantName"],
        "eventId": d["eventId"],
        "forkStepId": d["forkStepId"],
        "forkStepName": d["forkStepName"],
        "joinStepId": d["joinStepId"],
        "branchCount": d["branchCount"],
    }


def _joined(d: Data, at: datetime) -> dict[str, Any]:
    s = d["summary"]
    return {
        "participantId": d["participantId"],
        "participantName": d["participantName"],
        "eventId": d["eventId"],
        "forkStepId": d["forkStepId"],
        "joinStepId": d["joinStepId"],
        "action": d["action"],
        "summary": {k: s[k] for k in ("total", "completed", "approved", "rejected", "pending")},
    }


def _scanned(d: Data, at: datetime) -> dict[str, Any]:
    s = d["scan"]
    return {
        "scanId": s["id"],
        "eventId": s["eventId"],
        "checkpointId": s["checkpointId"],
        "participantId": s.get("participantId"),
        "scanType": s["scanType"],
        "result": s["scanResult"],
        "reason": s["reason"],
        "movement": s.get("movement"),
        "deviceId": s.get("deviceId"),
        "scannedAt": s["scannedAt"],
    }


def _occupancy(d: Data, at: datetime) -> dict[str, Any]:
    z = d["zone"]
    return {
        "eventId": z["eventId"],
        "zoneId": z.get("zoneId"),
        "currentCount": z["currentCount"],
        "maxCapacity": z["maxCapacity"],
        "band": z.get("band"),
        "at": z["lastUpdated"],
    }


def _alert(d: Data, at: datetime) -> dict[str, Any]:
    keys = ("kind", "eventId", "checkpointId", "participantId", "accessLogId", "refused", "at")
    return {k: d[k] for k in keys}


def _bulk_completed(d: Data, at: datetime) -> dict[str, Any]:
    o = d["operation"]
    return {
        "operationId": o["id"],
        "eventId": o["eventId"],
        "type": o["type"],
        "status": o["status"],
        "totalItems": o["totalItems"],
        "successCount": o["successCount"],
        "failureCount": o["failureCount"],
        "startedAt": o.get("startedAt"),
        "completedAt": o.get("completedAt"),
    }


def _record(d: Data, at: datetime) -> dict[str, Any]:
    r = d["record"]
    return {
        "recordId": r["id"],
        "objectId": r["definitionId"],
        "objectSlug": r["definitionSlug"],
        "data": r["data"],
        "createdBy": r.get("createdBy"),
        "createdAt": r["createdAt"],
        "updatedAt": r["updatedAt"],
    }


# bus subject → the public events it gives
BY_SUBJECT: dict[str, list[tuple[str, Projector]]] = {
    "evt.registration.participant.registered": [("participant.registered", _registered)],
    "evt.registration.bulk_operation.completed": [("bulk_operation.completed", _bulk_completed)],
    "evt.workflow.participant.approved": [("participant.approved", _decision)],
    "evt.workflow.participant.rejected": [("participant.rejected", _decision)],
    "evt.workflow.participant.bypassed": [("participant.bypassed", _decision)],
    "evt.workflow.participant.escalated": [("participant.escalated", _decision)],
    "evt.workflow.participant.status_changed": [("participant.status_changed", _decision)],
    "evt.workflow.sla.warning": [("sla.warning", _sla_warning)],
    "evt.workflow.sla.breached": [("sla.breached", _sla_breached)],
    "evt.workflow.workflow.published": [("workflow.published", _published)],
    "evt.workflow.parallel.forked": [("parallel.forked", _forked)],
    "evt.workflow.parallel.joined": [("parallel.joined", _joined)],
    "evt.checkin.scan.completed": [("scan.completed", _scanned)],
    "evt.checkin.occupancy.changed": [("occupancy.changed", _occupancy)],
    "evt.checkin.alert.created": [("alert.created", _alert)],
    "evt.custom-objects.custom_object.record.created": [("custom_object.record.created", _record)],
    "evt.custom-objects.custom_object.record.updated": [("custom_object.record.updated", _record)],
    "evt.custom-objects.custom_object.record.deleted": [("custom_object.record.deleted", _record)],
}
PUBLIC_TYPES: frozenset[str] = frozenset(name for pairs in BY_SUBJECT.values() for name, _ in pairs)


def public_event_id(bus_event_id: uuid.UUID, public_type: str) -> uuid.UUID:
    return uuid.uuid5(bus_event_id, public_type)


def public_events(subject: str, bus_event_id: uuid.UUID, data: Data, occurred_at: datetime) -> list[PublicEvent]:
    """The public events a bus event gives (none for most); ``subject`` without its lane prefix."""
    return [
        PublicEvent(public_event_id(bus_event_id, name), name, project(data, occurred_at))
        for name, project in BY_SUBJECT.get(subject, ())
    ]


def subscribed(events: list[str] | tuple[str, ...], public_type: str) -> bool:
    return public_type in events or WILDCARD in events


def unknown_types(types: list[str]) -> list[str]:
    """The entries a subscription may not name (``test.ping`` is reserved)."""
    return [t for t in types if t != WILDCARD and t not in PUBLIC_TYPES]
