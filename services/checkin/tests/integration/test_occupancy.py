"""Head counts per zone: declared with a capacity, moved by admitted scans (never below zero), coloured,
announced with the zone's full state, and rebuilt from the access log to what the live counting gave."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from checkin_svc.adapters import tables

from plenary_contracts.catalog import checkin as contract
from plenary_contracts.enums import ScanResult
from plenary_contracts.errors import NotFound, ValidationFailed
from plenary_kit.ids import new_id

from .conftest import OTHER_TENANT, CheckinService, SeededEvent, add_checkpoint

occupancy = tables.venue_occupancy.c


async def _declare(checkin: CheckinService, event: SeededEvent, **zones: int) -> contract.Occupancy:
    """Zones by id (``venue`` for the whole venue) and their capacity."""
    body = [{"zoneId": None if z == "venue" else z, "maxCapacity": c} for z, c in zones.items()]
    return await checkin.call(contract.INITIALIZE_OCCUPANCY, {"eventId": event.id, "zones": body})


def _counts(found: contract.Occupancy) -> dict[str | None, int]:
    return {z.zone_id: z.current_count for z in found.zones}


async def _payloads(checkin: CheckinService, event: SeededEvent, n: int) -> list[str]:
    people = [await checkin.register(event) for _ in range(n)]
    return [(await checkin.call(contract.GET_BADGE, {"participantId": x.id})).payload for x in people]


async def _scan(checkin: CheckinService, checkpoint_id: str, payload: str, **fields: object) -> contract.ScanOutcome:
    return await checkin.call(contract.PROCESS_SCAN, {"checkpointId": checkpoint_id, "payload": payload, **fields})


async def test_zones_are_declared_with_their_capacity_and_a_redeclared_zone_keeps_its_count(checkin: CheckinService):
    event = await checkin.seed_event()
    declared = await _declare(checkin, event, venue=100, hall=10)
    assert [(z.zone_id, z.current_count, z.max_capacity, z.band) for z in declared.zones] == [
        (None, 0, 100, "green"), ("hall", 0, 10, "green")
    ]  # fmt: skip
    gate = await add_checkpoint(checkin, event, zone_id="hall")
    (payload,) = await _payloads(checkin, event, 1)
    await _scan(checkin, gate, payload)
    resized = await _declare(checkin, event, hall=20, vip=5)
    assert [(z.zone_id, z.current_count, z.max_capacity) for z in resized.zones] == [
        (None, 0, 100), ("hall", 1, 20), ("vip", 0, 5)
    ]  # fmt: skip
    changed = [e["zone"] for e in await checkin.events(contract.OCCUPANCY_CHANGED)]
    assert [(z["zoneId"], z["currentCount"], z["maxCapacity"]) for z in changed] == [
        (None, 0, 100), ("hall", 0, 10), ("hall", 1, 10), ("hall", 1, 20), ("vip", 0, 5)
    ]  # fmt: skip


async def test_declaring_zones_needs_an_event_of_the_tenant_and_each_zone_once(checkin: CheckinService):
    event = await checkin.seed_event()
    with pytest.raises(NotFound):
        await checkin.call(contract.INITIALIZE_OCCUPANCY, {"eventId": new_id(), "zones": [{"maxCapacity": 5}]})
    with pytest.raises(NotFound):
        await checkin.call(
            contract.INITIALIZE_OCCUPANCY, {"eventId": event.id, "zones": [{"maxCapacity": 5}]}, tenant=OTHER_TENANT
        )
    with pytest.raises(ValidationFailed) as twice:
        await _declare_raw(checkin, event, [{"zoneId": "a", "maxCapacity": 5}, {"zoneId": "a", "maxCapacity": 6}])
    assert [e.loc for e in twice.value.errors] == [["zones", 1, "zoneId"]]
    with pytest.raises(ValidationFailed) as empty:
        await _declare_raw(checkin, event, [{"maxCapacity": 0}])
    assert empty.value.errors[0].loc[:3] == ["zones", 0, "maxCapacity"]
    assert await checkin.count(tables.venue_occupancy) == 0


async def _declare_raw(checkin: CheckinService, event: SeededEvent, zones: list[dict[str, object]]) -> None:
    request = contract.InitializeOccupancy.model_construct(
        event_id=event.id, zones=[contract.ZoneCapacity.model_construct(**z) for z in zones]
    )
    await checkin.call(contract.INITIALIZE_OCCUPANCY, request)


async def test_reading_the_counts_needs_an_event_of_the_tenant(checkin: CheckinService):
    event = await checkin.seed_event()
    assert (await checkin.call(contract.GET_OCCUPANCY, {"eventId": event.id})).zones == []
    for operation in (contract.GET_OCCUPANCY, contract.REBUILD_OCCUPANCY):
        with pytest.raises(NotFound):
            await checkin.call(operation, {"eventId": new_id()})
        with pytest.raises(NotFound):
            await checkin.call(operation, {"eventId": event.id}, tenant=OTHER_TENANT)


async def test_admitted_scans_move_their_zones_count_and_an_exit_never_takes_it_below_zero(checkin: CheckinService):
    event = await checkin.seed_event()
    await _declare(checkin, event, venue=4)
    entrance = await add_checkpoint(checkin, event, reentry="unlimited")
    way_out = await add_checkpoint(checkin, event, direction="exit")
    unzoned = await add_checkpoint(checkin, event, zone_id="no-row-here")
    a, b, c, d = await _payloads(checkin, event, 4)
    before = len(await checkin.events(contract.OCCUPANCY_CHANGED))
    assert (await _scan(checkin, way_out, a)).result is ScanResult.VALID  # an exit nobody saw come in
    assert len(await checkin.events(contract.OCCUPANCY_CHANGED)) == before  # nothing moved: nothing announced
    for payload in (a, b, c, d):
        await _scan(checkin, entrance, payload)
    found = await checkin.call(contract.GET_OCCUPANCY, {"eventId": event.id})
    assert [(z.current_count, z.band) for z in found.zones] == [(4, "red")]
    await _scan(checkin, entrance, a)  # passback: admitted again, and counted again (the alert says why)
    await _scan(checkin, way_out, b)
    await _scan(checkin, unzoned, c)  # a zone without a row is not counted
    await _scan(checkin, entrance, "not a badge")  # refused: nothing moves
    found = await checkin.call(contract.GET_OCCUPANCY, {"eventId": event.id})
    assert _counts(found) == {None: 4}
    last = (await checkin.events(contract.OCCUPANCY_CHANGED))[-1]["zone"]
    assert {k: last[k] for k in ("eventId", "zoneId", "currentCount", "maxCapacity", "band")} == {
        "eventId": event.id, "zoneId": None, "currentCount": 4, "maxCapacity": 4, "band": "red"
    }  # fmt: skip


async def test_the_counts_are_coloured_by_their_share_of_capacity(checkin: CheckinService):
    event = await checkin.seed_event()
    await _declare(checkin, event, venue=4)
    gate = await add_checkpoint(checkin, event)
    bands = []
    for payload in await _payloads(checkin, event, 4):
        await _scan(checkin, gate, payload)
        bands.append((await checkin.call(contract.GET_OCCUPANCY, {"eventId": event.id})).zones[0].band)
    assert bands == ["green", "green", "amber", "red"]  # 25 %, 50 %, 75 %, 100 %


async def test_a_rebuild_gives_back_the_live_counts_and_presence(checkin: CheckinService):
    event = await checkin.seed_event()
    await _declare(checkin, event, venue=50, hall=20, empty=5)
    entrance = await add_checkpoint(checkin, event, reentry="after-exit")
    way_out = await add_checkpoint(checkin, event, direction="exit")
    hall_door = await add_checkpoint(checkin, event, zone_id="hall", direction="bidirectional", reentry="unlimited")
    payloads = await _payloads(checkin, event, 6)
    start = datetime.now(UTC) - timedelta(hours=2)
    moves = [
        (way_out, 0), (entrance, 0), (entrance, 1), (entrance, 2), (hall_door, 0), (hall_door, 1), (way_out, 1),
        (entrance, 1), (hall_door, 0), (entrance, 3), (way_out, 3), (way_out, 3), (hall_door, 4), (entrance, 0),
    ]  # fmt: skip
    for n, (checkpoint_id, who) in enumerate(moves):
        await _scan(checkin, checkpoint_id, payloads[who], scannedAt=(start + timedelta(minutes=n)).isoformat())
    live = await checkin.call(contract.GET_OCCUPANCY, {"eventId": event.id})
    presence = sa.select(tables.presence).order_by(tables.presence.c.participant_id, tables.presence.c.zone_id)
    live_presence = [tuple(r) for r in (await checkin.execute(presence)).all()]
    await checkin.execute(sa.update(tables.venue_occupancy).values(current_count=17))  # drifted, somehow
    await checkin.execute(sa.delete(tables.presence))
    published = len(await checkin.events(contract.OCCUPANCY_CHANGED))
    rebuilt = await checkin.call(contract.REBUILD_OCCUPANCY, {"eventId": event.id})
    assert _counts(rebuilt) == _counts(live) == {None: 2, "hall": 2, "empty": 0}
    assert [tuple(r) for r in (await checkin.execute(presence)).all()] == live_presence
    assert len(await checkin.events(contract.OCCUPANCY_CHANGED)) == published + 3  # each zone moved back
    again = await checkin.call(contract.REBUILD_OCCUPANCY, {"eventId": event.id})
    assert _counts(again) == _counts(live)
    assert len(await checkin.events(contract.OCCUPANCY_CHANGED)) == published + 3  # nothing moved this time
