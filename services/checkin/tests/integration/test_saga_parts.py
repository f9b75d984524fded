"""checkin's parts of the two sagas over the bus: an event's checkpoints and zones copied into its clone with
every reference inside the clone, repeated without a second copy, dropped again; and a person erased from the
read model, the access log, kiosk sessions and stored replies, fast, while the counts hold."""

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from checkin_svc.adapters import tables

from plenary_contracts.catalog import checkin as contract
from plenary_contracts.errors import BadRequest, ValidationFailed
from plenary_contracts.id_map import derived_id
from plenary_contracts.saga_parts import COPY_EVENT_PART, DROP_EVENT_PART, ERASE_PERSON
from plenary_kit.ids import new_id
from plenary_kit.testing.schema import rows_holding

from .conftest import OTHER_TENANT, TENANT, CheckinService, SeededEvent, add_checkpoint

COPY, DROP, ERASE = COPY_EVENT_PART["checkin"], DROP_EVENT_PART["checkin"], ERASE_PERSON["checkin"]
TARGET = "event-2027"
UNCOPIED_TYPE = "type-not-copied"
cp, log, zone = tables.checkpoint.c, tables.access_log.c, tables.venue_occupancy.c


def _copy(operation_id: str, source: SeededEvent | str, *, checkpoints: bool = True, **id_map: str) -> dict:
    return {
        "operationId": operation_id,
        "sourceEventId": source if isinstance(source, str) else source.id,
        "targetEventId": TARGET,
        "targetEventName": "Summit 2027",
        "elements": {"checkpoints": checkpoints},
        "idMap": id_map,
    }


async def _rows(checkin: CheckinService, table: sa.Table, *where: Any) -> list[Any]:
    async with checkin.runtime.engine.connect() as conn:
        return (await conn.execute(sa.select(table).where(*where).order_by(table.c.id))).all()


async def _configured_event(checkin: CheckinService) -> tuple[SeededEvent, dict[str, str]]:
    """An event with three gates (a zone's typed one, the venue's open one, one for a type not copied) and two
    declared zones, one with people inside; the gates by role."""
    event = await checkin.seed_event()
    gates = {
        "hall": await add_checkpoint(
            checkin, event, zone_id="hall-a", allowed_type_ids=[event.type_id, UNCOPIED_TYPE], refuse_passback=True
        ),
        "venue": await add_checkpoint(checkin, event, reentry="unlimited", direction="bidirectional"),
        "closed": await add_checkpoint(checkin, event, allowed_type_ids=[UNCOPIED_TYPE], is_active=False),
    }
    zones = [{"maxCapacity": 500}, {"zoneId": "hall-a", "maxCapacity": 80}]
    await checkin.call(contract.INITIALIZE_OCCUPANCY, {"eventId": event.id, "zones": zones})
    await checkin.execute(sa.update(tables.venue_occupancy).where(zone.event_id == event.id).values(current_count=7))
    return event, gates


# --- the clone ----------------------------------------------------------------------------------


async def test_checkpoints_and_zones_are_copied_with_every_reference_inside_the_clone(checkin: CheckinService):
    event, gates = await _configured_event(checkin)
    await add_checkpoint(checkin, await checkin.seed_event())  # another event's gate
    await add_checkpoint(checkin, await checkin.seed_event(tenant=OTHER_TENANT))
    new_type = "type-delegate-2027"
    operation = new_id()

    copied = await checkin.call(COPY, _copy(operation, event, **{event.type_id: new_type}))

    assert copied.counts == {"checkpoints": 3, "zones": 2}
    assert copied.id_map == {old: derived_id(operation, old) for old in gates.values()}
    copies = {r.id: r for r in await _rows(checkin, tables.checkpoint, cp.event_id == TARGET)}
    assert set(copies) == set(copied.id_map.values())
    hall, venue, closed = (copies[copied.id_map[gates[k]]] for k in ("hall", "venue", "closed"))
    assert (hall.zone_id, hall.allowed_participant_type_ids, hall.refuse_passback) == ("hall-a", [new_type], True)
    assert (venue.zone_id, venue.allowed_participant_type_ids, venue.reentry, venue.direction) == (
        None,
        None,
        "unlimited",
        "bidirectional",
    )
    assert (closed.allowed_participant_type_ids, closed.is_active) == ([], False)  # still closed to every type
    sources = {r.id: r for r in await _rows(checkin, tables.checkpoint, cp.event_id == event.id)}
    assert {r.name for r in copies.values()} == {r.name for r in sources.values()}
    zones = await _rows(checkin, tables.venue_occupancy, zone.event_id == TARGET)
    assert {(z.zone_id, z.max_capacity, z.current_count, z.tenant_id) for z in zones} == {
        (None, 500, 0, TENANT),
        ("hall-a", 80, 0, TENANT),
    }
    declared = {z.zone_id for z in zones}
    for row in copies.values():  # every reference of the clone points inside it
        assert row.tenant_id == TENANT and row.zone_id in declared
        assert set(row.allowed_participant_type_ids or []) <= {new_type}
    created = [c["checkpoint"]["id"] for c in await checkin.events(contract.CHECKPOINT_CREATED)]
    assert sorted(created) == sorted(copies)
    counted = [c["zone"] for c in await checkin.events(contract.OCCUPANCY_CHANGED) if c["zone"]["eventId"] == TARGET]
    assert sorted((z["zoneId"] or "", z["currentCount"]) for z in counted) == [("", 0), ("hall-a", 0)]


async def test_a_repeated_copy_answers_the_same_and_announces_nothing_twice(checkin: CheckinService):
    event, _ = await _configured_event(checkin)
    operation = new_id()
    first = await checkin.call(COPY, _copy(operation, event))
    announced = (
        len(await checkin.events(contract.CHECKPOINT_CREATED)),
        len(await checkin.events(contract.OCCUPANCY_CHANGED)),
    )

    again = await checkin.call(COPY, _copy(operation, event))

    assert again == first
    assert len(await _rows(checkin, tables.checkpoint, cp.event_id == TARGET)) == 3
    assert len(await _rows(checkin, tables.venue_occupancy, zone.event_id == TARGET)) == 2
    assert (
        len(await checkin.events(contract.CHECKPOINT_CREATED)),
        len(await checkin.events(contract.OCCUPANCY_CHANGED)),
    ) == announced


async def test_checkpoints_not_asked_for_of_an_unknown_event_or_another_tenant_copy_nothing(checkin: CheckinService):
    event, _ = await _configured_event(checkin)
    assert (await checkin.call(COPY, _copy(new_id(), event, checkpoints=False))).counts == {}
    unknown = await checkin.call(COPY, _copy(new_id(), "no-such-event"))
    assert (unknown.counts, unknown.id_map) == ({"checkpoints": 0, "zones": 0}, {})
    assert (await checkin.call(COPY, _copy(new_id(), event), tenant=OTHER_TENANT)).counts == {
        "checkpoints": 0,
        "zones": 0,
    }
    assert await _rows(checkin, tables.checkpoint, cp.event_id == TARGET) == []


async def test_the_drop_deletes_the_clones_checkpoints_and_zones_and_is_idempotent(checkin: CheckinService):
    event, gates = await _configured_event(checkin)
    operation = new_id()
    copied = await checkin.call(COPY, _copy(operation, event))

    dropped = await checkin.call(DROP, {"operationId": operation, "targetEventId": TARGET})

    assert dropped.counts == {"checkpoints": 3, "zones": 2}
    assert await _rows(checkin, tables.checkpoint, cp.event_id == TARGET) == []
    assert await _rows(checkin, tables.venue_occupancy, zone.event_id == TARGET) == []
    deleted = [c["checkpoint"]["id"] for c in await checkin.events(contract.CHECKPOINT_DELETED)]
    assert sorted(deleted) == sorted(copied.id_map.values())
    assert len(await _rows(checkin, tables.checkpoint, cp.event_id == event.id)) == len(gates)
    assert {z.current_count for z in await _rows(checkin, tables.venue_occupancy, zone.event_id == event.id)} == {7}
    again = await checkin.call(DROP, {"operationId": operation, "targetEventId": TARGET})
    assert again.counts == {"checkpoints": 0, "zones": 0}


async def test_a_part_without_its_ids_or_tenant_is_refused(checkin: CheckinService):
    with pytest.raises(ValidationFailed):
        await checkin.call(COPY, COPY.request.model_construct(source_event_id="e", target_event_id=TARGET))
    with pytest.raises(ValidationFailed):
        await checkin.call(ERASE, ERASE.request.model_construct(participant_id="p"))
    with pytest.raises(BadRequest):
        await checkin.call(DROP, {"operationId": new_id(), "targetEventId": TARGET}, tenant=None)


# --- the erasure --------------------------------------------------------------------------------


async def _scans(checkin: CheckinService, gate: str, event: SeededEvent, participant_id: str, n: int) -> None:
    """``n`` admitted badge scans of the participant at the gate, written as the scan path writes them."""
    start = datetime.now(UTC) - timedelta(days=1)
    rows = [
        {
            "id": new_id(),
            "tenant_id": event.tenant_id,
            "checkpoint_id": gate,
            "event_id": event.id,
            "participant_id": participant_id,
            "scan_type": "QR_SCAN",
            "scan_result": "VALID" if i % 2 else "MANUAL_OVERRIDE",
            "reason": "admitted",
            "movement": "in",
            "zone_id": "hall-a",
            "qr_payload": f"BADGE-{participant_id}-{i}",
            "scanned_by": "staff-user",
            "override_reason": None if i % 2 else "Grace Hopper forgot her badge",
            "scanned_at": start + timedelta(seconds=i),
        }
        for i in range(n)
    ]
    await checkin.execute(sa.insert(tables.access_log), rows)


async def _kiosk_sessions(checkin: CheckinService, event: SeededEvent, participant_id: str, email: str) -> None:
    kiosk = new_id()
    await checkin.execute(
        sa.insert(tables.kiosk_device).values(
            id=kiosk, tenant_id=event.tenant_id, event_id=event.id, name="Lobby", location="Hall"
        )
    )
    sessions = [
        (participant_id, {"lookedUp": "code"}),
        (None, {"lookedUp": email.upper()}),  # a lookup by e-mail that found nobody yet
        (None, {"lookedUp": "someone-else@example.org"}),
    ]
    await checkin.execute(
        sa.insert(tables.kiosk_session),
        [
            {"id": new_id(), "tenant_id": event.tenant_id, "device_id": kiosk, "participant_id": who,
             "session_type": "status-lookup", "metadata": notes}
            for who, notes in sessions
        ],
    )  # fmt: skip


async def test_erasing_a_person_leaves_their_name_and_e_mail_nowhere_in_the_schema_fast(checkin: CheckinService):
    event, gates = await _configured_event(checkin)
    grace = await checkin.register(event, first_name="Grace", last_name="Hopperova")
    ada = await checkin.register(event)
    entry = {"checkpointId": gates["venue"], "registrationCode": grace.registration_code}
    answered = await checkin.call(contract.MANUAL_ENTRY, entry, idempotency_key="scan-1")
    assert answered.participant_name == "Grace Hopperova"  # the stored reply names her
    await checkin.call(contract.MANUAL_ENTRY, {**entry, "registrationCode": ada.registration_code})
    await _scans(checkin, gates["hall"], event, grace.id, 1000)
    await _kiosk_sessions(checkin, event, grace.id, grace.email)
    occupancy_before = await _rows(checkin, tables.venue_occupancy, zone.event_id == event.id)
    ada_before = await _rows(checkin, tables.access_log, log.participant_id == ada.id)

    started = time.perf_counter()
    receipt = await checkin.call(ERASE, {"erasureId": new_id(), "participantId": grace.id, "eventId": event.id})
    took = time.perf_counter() - started

    assert took < 0.5, took
    assert receipt.service == "checkin"
    assert receipt.erased == {"participant": 1, "idempotency_key": 1}
    assert receipt.anonymised == {"access_log": 1001, "kiosk_session": 2}
    for needle in ("Grace", "Hopperova", grace.email):
        assert await rows_holding(checkin.runtime.engine, "checkin", needle) == {}, needle
    # What was read at the gate stays in scan.completed's qrPayload in the outbox (not a sealed field of it)
    for needle in (grace.registration_code, "BADGE-"):
        assert await rows_holding(checkin.runtime.engine, "checkin", needle) == {}, needle
    kept = await _rows(checkin, tables.access_log, log.participant_id == grace.id)
    assert len(kept) == 1001 and {r.zone_id for r in kept} == {None, "hall-a"}
    assert await _rows(checkin, tables.venue_occupancy, zone.event_id == event.id) == occupancy_before
    assert await _rows(checkin, tables.access_log, log.participant_id == ada.id) == ada_before
    assert await checkin.count(tables.participant, tables.participant.c.id == ada.id) == 1


async def test_an_erased_persons_badge_opens_no_gate_and_an_erasure_repeated_or_unknown_erases_nothing(
    checkin: CheckinService,
):
    event, gates = await _configured_event(checkin)
    grace = await checkin.register(event, first_name="Grace", last_name="Hopperova")
    theirs = await checkin.register(await checkin.seed_event(tenant=OTHER_TENANT), first_name="Grace")
    await checkin.call(ERASE, {"erasureId": new_id(), "participantId": grace.id, "eventId": event.id})
    entry = {"checkpointId": gates["venue"], "registrationCode": grace.registration_code}
    assert (await checkin.call(contract.MANUAL_ENTRY, entry)).result == "INVALID"

    again = await checkin.call(ERASE, {"erasureId": new_id(), "participantId": grace.id, "eventId": event.id})
    unknown = await checkin.call(ERASE, {"erasureId": new_id(), "participantId": new_id(), "eventId": event.id})
    across = await checkin.call(
        ERASE, {"erasureId": new_id(), "participantId": theirs.id, "eventId": theirs.event_id}, tenant=TENANT
    )

    for receipt in (again, unknown, across):
        assert all(n == 0 for n in [*receipt.erased.values(), *receipt.anonymised.values()]), receipt
    assert await checkin.count(tables.participant, tables.participant.c.id == theirs.id) == 1
