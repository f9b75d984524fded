"""An event's checkpoints: created, listed, read, changed, opened and closed, deleted; each change announced.
The event is checked in checkin's read model, the admitted participant types at the events service, which
runs beside checkin here with the event and its types in its own tables."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from checkin_svc.adapters import tables
from sqlalchemy.dialects.postgresql import insert

from plenary_contracts.access import Grant, encode_grants
from plenary_contracts.catalog import checkin as contract
from plenary_contracts.enums import (
    CheckpointDirection,
    CheckpointType,
    PermissionAccess,
    ReentryPolicy,
    RoleScope,
    ScanResult,
    ScanType,
)
from plenary_contracts.errors import Conflict, Forbidden, NotFound, ServiceUnavailable, ValidationFailed
from plenary_kit.discovery import load_services
from plenary_kit.ids import new_id
from plenary_kit.service import Runtime
from plenary_kit.settings import Settings

from .conftest import OTHER_TENANT, TENANT, SeededEvent

DELEGATE, PRESS = "type-delegate", "type-press"


@pytest.fixture
async def events_service(plenary_settings: Settings) -> AsyncIterator[Runtime]:
    (events_spec,) = load_services(["events"])
    runtime = Runtime(events_spec, plenary_settings)
    await runtime.start()
    try:
        yield runtime
    finally:
        await runtime.stop()


async def _known_to_events(events_service: Runtime, event: SeededEvent, *type_ids: str) -> None:
    """The event and its participant types, under these ids, in the events service's own tables."""
    known = events_service.spec.metadata.tables
    event_table, type_table = known["events.event"], known["events.participant_type"]
    start = datetime.now(UTC)
    async with events_service.engine.begin() as conn:
        await conn.execute(
            insert(event_table).values(
                id=event.id,
                tenant_id=event.tenant_id,
                name=f"Congress {event.id}",
                description="",
                status="PUBLISHED",
                start_date=start,
                end_date=start + timedelta(days=3),
            )
        )
        for type_id in type_ids:
            values = {"id": type_id, "tenant_id": event.tenant_id, "event_id": event.id, "name": type_id}
            await conn.execute(insert(type_table).values(**values, code=type_id))


async def _create(checkin, event: SeededEvent, *, tenant: str = TENANT, **fields) -> contract.Checkpoint:
    body = {"eventId": event.id, "name": f"Gate {new_id()[-6:]}", **fields}
    return await checkin.call(contract.CREATE_CHECKPOINT, body, tenant=tenant)


def _bound_to(event_id: str) -> str:
    """Grants of a role (or a device key) bound to one event."""
    return encode_grants([Grant("check-in:scan", PermissionAccess.ANY, RoleScope.EVENT, event_id)])


# --- creating ------------------------------------------------------------------------------------


async def test_a_checkpoint_is_created_with_its_defaults_read_back_and_announced(checkin):
    event = await checkin.seed_event()
    created = await _create(checkin, event, name="North Gate", location="Hall A")

    assert (created.tenant_id, created.event_id, created.name, created.location) == (
        TENANT,
        event.id,
        "North Gate",
        "Hall A",
    )
    assert (created.type, created.direction, created.is_active) == (
        CheckpointType.GATE,
        CheckpointDirection.ENTRY,
        True,
    )
    assert (created.reentry, created.refuse_passback, created.allowed_participant_type_ids) == (
        ReentryPolicy.ONCE_PER_DAY,
        False,
        None,
    )
    assert await checkin.call(contract.GET_CHECKPOINT, {"id": created.id}) == created
    announced = await checkin.events(contract.CHECKPOINT_CREATED)
    assert [e["checkpoint"]["id"] for e in announced] == [created.id]


async def test_the_admitted_participant_types_are_checked_at_the_events_service(checkin, events_service):
    event = await checkin.seed_event()
    await _known_to_events(events_service, event, DELEGATE, PRESS)

    created = await _create(checkin, event, allowedParticipantTypeIds=[DELEGATE, PRESS, DELEGATE])
    assert created.allowed_participant_type_ids == [DELEGATE, PRESS]

    with pytest.raises(ValidationFailed) as refused:
        await _create(checkin, event, allowedParticipantTypeIds=[PRESS, "type-unknown"])
    assert [e.loc for e in refused.value.errors] == [["body", "allowedParticipantTypeIds", 1]]

    nobody = await _create(checkin, event, allowedParticipantTypeIds=[])
    assert nobody.allowed_participant_type_ids == []


async def test_another_events_participant_type_is_refused(checkin, events_service):
    event, other = await checkin.seed_event(), await checkin.seed_event()
    await _known_to_events(events_service, event, DELEGATE)
    await _known_to_events(events_service, other, "type-other")

    with pytest.raises(ValidationFailed) as refused:
        await _create(checkin, event, allowedParticipantTypeIds=["type-other"])
    assert [e.loc for e in refused.value.errors] == [["body", "allowedParticipantTypeIds", 0]]


async def test_participant_types_cannot_be_checked_while_the_events_service_is_down(checkin):
    event = await checkin.seed_event()
    with pytest.raises(ServiceUnavailable):
        await _create(checkin, event, allowedParticipantTypeIds=[DELEGATE])
    assert await checkin.count(tables.checkpoint) == 0
    # Without types to check, events is not asked
    await _create(checkin, event)


async def test_an_unknown_or_another_tenants_event_is_not_found(checkin):
    theirs = await checkin.seed_event(tenant=OTHER_TENANT)
    for event_id in (theirs.id, new_id()):
        with pytest.raises(NotFound):
            await checkin.call(contract.CREATE_CHECKPOINT, {"eventId": event_id, "name": "Gate"})
        with pytest.raises(NotFound):
            await checkin.call(contract.LIST_CHECKPOINTS, {"eventId": event_id})
    assert await checkin.count(tables.checkpoint) == 0


async def test_a_name_is_unique_in_its_event_only(checkin):
    event, other = await checkin.seed_event(), await checkin.seed_event()
    await _create(checkin, event, name="Main Gate")
    with pytest.raises(Conflict):
        await _create(checkin, event, name="Main Gate")
    await _create(checkin, other, name="Main Gate")


async def test_bad_fields_are_refused_with_their_location(checkin):
    event = await checkin.seed_event()
    with pytest.raises(ValidationFailed) as refused:
        unchecked = contract.CreateCheckpoint.model_construct(
            event_id=event.id, name="Gate", capacity=0, zone_id="a zone"
        )
        await checkin.call(contract.CREATE_CHECKPOINT, unchecked)
    assert sorted(e.loc[-1] for e in refused.value.errors) == ["capacity", "zoneId"]


# --- listing and reading -------------------------------------------------------------------------


async def test_an_events_checkpoints_are_listed_filtered_and_sorted(checkin):
    event, other = await checkin.seed_event(), await checkin.seed_event()
    gate = await _create(checkin, event, name="B Gate")
    room = await _create(checkin, event, name="A Room", type=CheckpointType.MEETING_ROOM, isActive=False)
    await _create(checkin, other, name="Elsewhere")

    listed = await checkin.call(contract.LIST_CHECKPOINTS, {"eventId": event.id, "sort": "name:asc"})
    assert [c.id for c in listed.data] == [room.id, gate.id]
    assert (listed.meta.total, listed.meta.total_pages) == (2, 1)
    active = await checkin.call(contract.LIST_CHECKPOINTS, {"eventId": event.id, "isActive": True})
    assert [c.id for c in active.data] == [gate.id]
    rooms = await checkin.call(contract.LIST_CHECKPOINTS, {"eventId": event.id, "type": "meeting-room"})
    assert [c.id for c in rooms.data] == [room.id]
    paged = await checkin.call(contract.LIST_CHECKPOINTS, {"eventId": event.id, "pageSize": 1, "page": 2})
    assert len(paged.data) == 1 and paged.meta.total_pages == 2
    with pytest.raises(ValidationFailed):
        await checkin.call(contract.LIST_CHECKPOINTS, {"eventId": event.id, "sort": "capacity:asc"})


async def test_another_tenants_checkpoint_is_not_found_for_every_operation(checkin):
    theirs = await checkin.seed_event(tenant=OTHER_TENANT)
    checkpoint = await _create(checkin, theirs, tenant=OTHER_TENANT)
    for spec, body in (
        (contract.GET_CHECKPOINT, {"id": checkpoint.id}),
        (contract.UPDATE_CHECKPOINT, {"id": checkpoint.id, "name": "Mine now"}),
        (contract.TOGGLE_CHECKPOINT, {"id": checkpoint.id}),
        (contract.DELETE_CHECKPOINT, {"id": checkpoint.id}),
    ):
        with pytest.raises(NotFound):
            await checkin.call(spec, body)
    assert await checkin.call(contract.GET_CHECKPOINT, {"id": checkpoint.id}, tenant=OTHER_TENANT) == checkpoint


async def test_a_grant_bound_to_another_event_reaches_no_checkpoint_of_this_one(checkin):
    event, other = await checkin.seed_event(), await checkin.seed_event()
    checkpoint = await _create(checkin, event)
    for spec in (contract.GET_CHECKPOINT, contract.TOGGLE_CHECKPOINT, contract.DELETE_CHECKPOINT):
        with pytest.raises(Forbidden):
            await checkin.call(spec, {"id": checkpoint.id}, grants=_bound_to(other.id))
    assert await checkin.call(contract.GET_CHECKPOINT, {"id": checkpoint.id}, grants=_bound_to(event.id))


# --- changing ------------------------------------------------------------------------------------


async def test_an_update_changes_only_the_fields_given_and_null_clears_optional_ones(checkin, events_service):
    event = await checkin.seed_event()
    await _known_to_events(events_service, event, DELEGATE)
    created = await _create(
        checkin, event, location="Hall A", capacity=100, zoneId="vip", allowedParticipantTypeIds=[DELEGATE]
    )

    renamed = await checkin.call(contract.UPDATE_CHECKPOINT, {"id": created.id, "name": "VIP Door", "capacity": 50})
    assert (renamed.name, renamed.capacity, renamed.location, renamed.zone_id) == ("VIP Door", 50, "Hall A", "vip")
    assert renamed.allowed_participant_type_ids == [DELEGATE]

    cleared = await checkin.call(
        contract.UPDATE_CHECKPOINT,
        {"id": created.id, "location": None, "capacity": None, "zoneId": None, "allowedParticipantTypeIds": None},
    )
    assert (cleared.location, cleared.capacity, cleared.zone_id, cleared.allowed_participant_type_ids) == (
        None,
        None,
        None,
        None,
    )
    assert (cleared.name, cleared.reentry) == ("VIP Door", ReentryPolicy.ONCE_PER_DAY)
    changed = await checkin.call(
        contract.UPDATE_CHECKPOINT,
        {"id": created.id, "reentry": "after-exit", "refusePassback": True, "direction": "bidirectional"},
    )
    assert (changed.reentry, changed.refuse_passback, changed.direction) == (
        ReentryPolicy.AFTER_EXIT,
        True,
        CheckpointDirection.BIDIRECTIONAL,
    )
    announced = await checkin.events(contract.CHECKPOINT_UPDATED)
    assert [e["checkpoint"]["name"] for e in announced] == ["VIP Door"] * 3


async def test_an_update_is_refused_for_a_null_required_field_a_taken_name_or_an_unknown_type(checkin, events_service):
    event = await checkin.seed_event()
    await _known_to_events(events_service, event, DELEGATE)
    first, second = await _create(checkin, event, name="First"), await _create(checkin, event, name="Second")

    with pytest.raises(ValidationFailed) as refused:
        await checkin.call(contract.UPDATE_CHECKPOINT, {"id": first.id, "name": None, "refusePassback": None})
    assert sorted(e.loc for e in refused.value.errors) == [["body", "name"], ["body", "refusePassback"]]
    with pytest.raises(Conflict):
        await checkin.call(contract.UPDATE_CHECKPOINT, {"id": second.id, "name": "First"})
    with pytest.raises(ValidationFailed) as refused:
        body = {"id": first.id, "allowedParticipantTypeIds": [DELEGATE, "type-unknown"]}
        await checkin.call(contract.UPDATE_CHECKPOINT, body)
    assert [e.loc for e in refused.value.errors] == [["body", "allowedParticipantTypeIds", 1]]
    with pytest.raises(NotFound):
        await checkin.call(contract.UPDATE_CHECKPOINT, {"id": new_id(), "name": "Ghost"})

    assert await checkin.call(contract.GET_CHECKPOINT, {"id": first.id}) == first
    assert await checkin.events(contract.CHECKPOINT_UPDATED) == []


async def test_an_update_giving_nothing_changes_nothing_and_announces_nothing(checkin):
    event = await checkin.seed_event()
    created = await _create(checkin, event)
    assert await checkin.call(contract.UPDATE_CHECKPOINT, {"id": created.id}) == created
    assert await checkin.events(contract.CHECKPOINT_UPDATED) == []


async def test_a_toggle_closes_an_open_checkpoint_and_opens_it_again(checkin):
    event = await checkin.seed_event()
    created = await _create(checkin, event)

    closed = await checkin.call(contract.TOGGLE_CHECKPOINT, {"id": created.id})
    reopened = await checkin.call(contract.TOGGLE_CHECKPOINT, {"id": created.id})

    assert (closed.is_active, reopened.is_active) == (False, True)
    announced = await checkin.events(contract.CHECKPOINT_UPDATED)
    assert [e["checkpoint"]["isActive"] for e in announced] == [False, True]


async def test_a_deleted_checkpoint_takes_its_access_log_along(checkin):
    event = await checkin.seed_event()
    doomed, kept = await _create(checkin, event), await _create(checkin, event)
    for checkpoint in (doomed, kept):
        await checkin.execute(
            sa.insert(tables.access_log).values(
                id=new_id(),
                tenant_id=TENANT,
                checkpoint_id=checkpoint.id,
                event_id=event.id,
                scan_type=ScanType.QR_SCAN,
                scan_result=ScanResult.INVALID,
                reason="unreadable",
                qr_payload="garbage",
                scanned_by="staff",
            )
        )

    deleted = await checkin.call(contract.DELETE_CHECKPOINT, {"id": doomed.id})

    assert deleted == doomed
    log = tables.access_log.c
    assert await checkin.count(tables.access_log, log.checkpoint_id == doomed.id) == 0
    assert await checkin.count(tables.access_log, log.checkpoint_id == kept.id) == 1
    announced = await checkin.events(contract.CHECKPOINT_DELETED)
    assert [e["checkpoint"]["id"] for e in announced] == [doomed.id]
    with pytest.raises(NotFound):
        await checkin.call(contract.DELETE_CHECKPOINT, {"id": doomed.id})
