import uuid
from datetime import UTC, datetime

import pytest
from webhooks_svc.domain import catalog

from plenary_contracts.catalog.webhooks import PUBLIC_EVENTS, PUBLIC_TYPES
from plenary_contracts.registry import EVENTS, EVENTS_BY_TYPE

AT = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
# One valid payload per mapped bus event, validated by the producer's own contract model (bus_data), so a
# producer's change that the mapping does not follow fails here.


STAMP = "2026-05-01T12:00:00Z"
_ACTED = {
    "participantId": "p1",
    "participantName": "Ada Lovelace",
    "registrationCode": "REG-1",
    "eventId": "e1",
    "workflowId": "w1",
    "workflowVersionId": "wv1",
    "action": "APPROVE",
    "stepId": "s1",
    "stepName": "Review",
    "previousStepId": "s1",
    "nextStepId": None,
    "isComplete": True,
    "previousStatus": "IN_PROGRESS",
    "status": "APPROVED",
    "approvalId": "a1",
    "version": 2,
}
_SLA = {
    "participantId": "p1",
    "participantName": "Ada Lovelace",
    "eventId": "e1",
    "workflowId": "w1",
    "stepId": "s1",
    "stepName": "Review",
    "dueAt": "2026-05-01T12:30:00Z",
}
RAW = {
    "evt.registration.participant.registered": {
        "participant": {
            "id": "p1",
            "tenantId": "t1",
            "eventId": "e1",
            "participantTypeId": "pt1",
            "registrationCode": "REG-1",
            "firstName": "Ada",
            "lastName": "Lovelace",
            "email": "ada@example.org",
            "status": "PENDING",
            "extras": {"passport": "X1"},
            "createdAt": STAMP,
            "updatedAt": STAMP,
        }
    },
    "evt.registration.bulk_operation.completed": {
        "operation": {
            "id": "b1",
            "tenantId": "t1",
            "eventId": "e1",
            "type": "IMPORT_PARTICIPANTS",
            "status": "COMPLETED",
            "description": "import",
            "totalItems": 10,
            "processedItems": 10,
            "successCount": 9,
            "failureCount": 1,
            "startedAt": STAMP,
            "completedAt": STAMP,
            "createdBy": "u1",
            "createdAt": STAMP,
            "updatedAt": STAMP,
        }
    },
    "evt.workflow.participant.approved": _ACTED,
    "evt.workflow.participant.rejected": {**_ACTED, "action": "REJECT", "status": "REJECTED"},
    "evt.workflow.participant.bypassed": {**_ACTED, "action": "BYPASS"},
    "evt.workflow.participant.escalated": {**_ACTED, "action": "ESCALATE", "isComplete": False},
    "evt.workflow.participant.status_changed": _ACTED,
    "evt.workflow.sla.warning": _SLA,
    "evt.workflow.sla.breached": {**_SLA, "dueAt": "2026-05-01T11:00:00Z", "slaAction": "ESCALATE"},
    "evt.workflow.workflow.published": {
        "workflowId": "w1",
        "eventId": "e1",
        "name": "Accreditation",
        "versionId": "wv1",
        "version": 3,
        "snapshotHash": "abc",
        "stepCount": 4,
    },
    "evt.workflow.parallel.forked": {
        "participantId": "p1",
        "participantName": "Ada Lovelace",
        "eventId": "e1",
        "forkStepId": "f1",
        "forkStepName": "Fork",
        "branchCount": 2,
        "branches": [],
        "joinStepId": "j1",
    },
    "evt.workflow.parallel.joined": {
        "participantId": "p1",
        "participantName": "Ada Lovelace",
        "eventId": "e1",
        "forkStepId": "f1",
        "joinStepId": "j1",
        "action": "APPROVE",
        "summary": {"total": 2, "completed": 2, "approved": 2, "rejected": 0, "pending": 0},
        "cancelledBranchIds": [],
    },
    "evt.checkin.scan.completed": {
        "scan": {
            "id": "sc1",
            "tenantId": "t1",
            "eventId": "e1",
            "checkpointId": "c1",
            "participantId": "p1",
            "scanType": "QR_SCAN",
            "scanResult": "VALID",
            "reason": "ok",
            "movement": "in",
            "qrPayload": "secret-badge-bytes",
            "scannedBy": "u1",
            "scannedAt": STAMP,
        }
    },
    "evt.checkin.occupancy.changed": {
        "zone": {"eventId": "e1", "zoneId": None, "currentCount": 3, "maxCapacity": 10, "lastUpdated": AT}
    },
    "evt.checkin.alert.created": {
        "kind": "passback",
        "eventId": "e1",
        "checkpointId": "c1",
        "participantId": "p1",
        "accessLogId": "l1",
        "refused": True,
        "at": STAMP,
    },
    **{
        f"evt.custom-objects.custom_object.record.{verb}": {
            "record": {
                "id": "r1",
                "tenantId": "t1",
                "definitionId": "d1",
                "definitionSlug": "hotels",
                "data": {"name": "Serena", "stars": 4},
                "createdBy": "u1",
                "createdAt": STAMP,
                "updatedAt": STAMP,
            }
        }
        for verb in ("created", "updated", "deleted")
    },
}

BY_SUBJECT = {spec.subject: spec for spec in EVENTS_BY_TYPE.values()}


def bus_data(subject: str) -> dict:
    """The sample as its producer would publish it: validated, then dumped as the outbox does."""
    return BY_SUBJECT[subject].payload.model_validate(RAW[subject]).model_dump(mode="json")


def test_the_domain_maps_exactly_the_public_catalog():
    assert catalog.PUBLIC_TYPES == set(PUBLIC_TYPES)


def test_every_public_type_is_made_from_an_event_some_service_really_declares():
    declared = {spec.subject for spec in EVENTS}
    assert set(catalog.BY_SUBJECT) <= declared
    for public_type, (_, producer, _) in PUBLIC_EVENTS.items():
        sources = [s for s, pairs in catalog.BY_SUBJECT.items() if public_type in {n for n, _ in pairs}]
        assert sources, public_type
        assert all(s.split(".")[1] == producer for s in sources), (public_type, sources)


@pytest.mark.parametrize("subject", sorted(catalog.BY_SUBJECT))
def test_each_mapped_event_gives_exactly_its_documented_public_shape(subject):
    assert subject in RAW, "add a sample of this bus event"
    for event in catalog.public_events(subject, uuid.uuid4(), bus_data(subject), AT):
        model = PUBLIC_EVENTS[event.type][0]
        documented = {field.alias or name for name, field in model.model_fields.items()}
        assert set(event.data) == documented
        assert model.model_validate(event.data).model_dump(mode="json", by_alias=True) is not None


def test_internal_fields_never_leak():
    (scan,) = catalog.public_events(
        "evt.checkin.scan.completed", uuid.uuid4(), bus_data("evt.checkin.scan.completed"), AT
    )
    assert "qrPayload" not in scan.data
    (registered,) = catalog.public_events(
        "evt.registration.participant.registered", uuid.uuid4(), bus_data("evt.registration.participant.registered"), AT
    )
    assert "extras" not in registered.data


def test_sla_minutes_are_counted_from_the_events_time():
    (warning,) = catalog.public_events(
        "evt.workflow.sla.warning", uuid.uuid4(), bus_data("evt.workflow.sla.warning"), AT
    )
    assert warning.data["remainingMinutes"] == 30
    (breached,) = catalog.public_events(
        "evt.workflow.sla.breached", uuid.uuid4(), bus_data("evt.workflow.sla.breached"), AT
    )
    assert breached.data["overdueMinutes"] == 60


def test_public_ids_are_the_same_for_the_same_bus_event_and_differ_per_type():
    bus_id = uuid.uuid4()
    first = catalog.public_events(
        "evt.workflow.participant.approved", bus_id, RAW["evt.workflow.participant.approved"], AT
    )
    again = catalog.public_events(
        "evt.workflow.participant.approved", bus_id, RAW["evt.workflow.participant.approved"], AT
    )
    assert [e.event_id for e in first] == [e.event_id for e in again]
    assert catalog.public_event_id(bus_id, "a") != catalog.public_event_id(bus_id, "b")


def test_unmapped_events_give_nothing():
    assert catalog.public_events("evt.checkin.kiosk_device.offline", uuid.uuid4(), {}, AT) == []


def test_subscriptions_match_their_types_or_the_wildcard():
    assert catalog.subscribed(["sla.warning"], "sla.warning")
    assert catalog.subscribed(["*"], "scan.completed")
    assert not catalog.subscribed(["sla.warning"], "sla.breached")


def test_unknown_and_reserved_types_cannot_be_subscribed():
    assert catalog.unknown_types(["sla.warning", "*", "nope", "test.ping"]) == ["nope", "test.ping"]
