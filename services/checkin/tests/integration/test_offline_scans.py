"""A scanner's offline scans, uploaded late: applied in device time order, answered in the order sent, and
uploaded again (a retry) without a second row or a second count."""

import asyncio
import random
from datetime import UTC, datetime, timedelta

import pytest
from checkin_svc.adapters import tables

from plenary_contracts.catalog import checkin as contract
from plenary_contracts.enums import ScanResult
from plenary_contracts.errors import NotFound, ValidationFailed
from plenary_kit.ids import new_id

from .conftest import CheckinService, SeededEvent, add_checkpoint

PEOPLE = 20
PASSES = 5  # in, out, in, out, in: everyone ends inside


async def _badges(checkin: CheckinService, event: SeededEvent, n: int) -> list[str]:
    people = await asyncio.gather(*(checkin.register(event) for _ in range(n)))
    badges = await asyncio.gather(*(checkin.call(contract.GET_BADGE, {"participantId": x.id}) for x in people))
    return [b.payload for b in badges]


def _offline(checkpoint_id: str, payload: str, nonce: str, at: datetime) -> dict[str, str]:
    return {"checkpointId": checkpoint_id, "payload": payload, "nonce": nonce, "scannedAt": at.isoformat()}


async def test_a_hundred_offline_scans_uploaded_twice_are_logged_and_counted_once(checkin: CheckinService):
    event = await checkin.seed_event()
    await checkin.call(contract.INITIALIZE_OCCUPANCY, {"eventId": event.id, "zones": [{"maxCapacity": 100}]})
    entrance = await add_checkpoint(checkin, event, reentry="after-exit")
    way_out = await add_checkpoint(checkin, event, direction="exit")
    payloads = await _badges(checkin, event, PEOPLE)
    start = datetime.now(UTC) - timedelta(hours=1)
    scans = [
        _offline(
            entrance if k % 2 == 0 else way_out, payloads[i], f"dev-1:{i}:{k}", start + timedelta(seconds=k * 60 + i)
        )
        for i in range(PEOPLE)
        for k in range(PASSES)
    ]
    random.Random(11).shuffle(scans)  # sent in any order: applied in device time order
    first = (await checkin.call(contract.UPLOAD_SCANS, {"scans": scans})).outcomes
    assert [o.nonce for o in first] == [s["nonce"] for s in scans]  # answered in the order sent
    assert {o.result for o in first} == {ScanResult.VALID}
    assert [o.movement for o in first] == ["in" if s["nonce"].endswith(("0", "2", "4")) else "out" for s in scans]
    assert await checkin.count(tables.access_log) == PEOPLE * PASSES
    counts = await checkin.call(contract.GET_OCCUPANCY, {"eventId": event.id})
    assert counts.zones[0].current_count == PEOPLE

    again = (await checkin.call(contract.UPLOAD_SCANS, {"scans": scans})).outcomes
    assert again == first
    assert await checkin.count(tables.access_log) == PEOPLE * PASSES
    assert (await checkin.call(contract.GET_OCCUPANCY, {"eventId": event.id})).zones[0].current_count == PEOPLE
    assert len(await checkin.events(contract.SCAN_COMPLETED)) == PEOPLE * PASSES
    rebuilt = await checkin.call(contract.REBUILD_OCCUPANCY, {"eventId": event.id})
    assert rebuilt.zones[0].current_count == PEOPLE


async def test_scans_of_one_person_are_judged_in_the_order_they_happened(checkin: CheckinService):
    event = await checkin.seed_event()
    gate = await add_checkpoint(checkin, event)
    (payload,) = await _badges(checkin, event, 1)
    start = datetime.now(UTC) - timedelta(minutes=30)
    later = _offline(gate, payload, "order-later", start + timedelta(minutes=5))
    earlier = _offline(gate, payload, "order-earlier", start)
    outcomes = (await checkin.call(contract.UPLOAD_SCANS, {"scans": [later, earlier]})).outcomes
    assert [o.result for o in outcomes] == [ScanResult.ALREADY_SCANNED, ScanResult.VALID]


async def test_a_nonce_repeated_within_one_upload_is_applied_once(checkin: CheckinService):
    event = await checkin.seed_event()
    gate = await add_checkpoint(checkin, event, reentry="unlimited")
    (payload,) = await _badges(checkin, event, 1)
    at = datetime.now(UTC) - timedelta(minutes=1)
    scan = _offline(gate, payload, "the-same-one", at)
    first, second = (await checkin.call(contract.UPLOAD_SCANS, {"scans": [scan, scan]})).outcomes
    assert first == second and first.result is ScanResult.VALID
    assert await checkin.count(tables.access_log) == 1


async def test_an_upload_with_a_scan_dated_in_the_future_is_refused_naming_it(checkin: CheckinService):
    event = await checkin.seed_event()
    gate = await add_checkpoint(checkin, event)
    (payload,) = await _badges(checkin, event, 1)
    now = datetime.now(UTC)
    scans = [
        _offline(gate, payload, "fine-0001", now - timedelta(minutes=3)),
        _offline(gate, payload, "ahead-0001", now + timedelta(hours=1)),
    ]
    with pytest.raises(ValidationFailed) as refused:
        await checkin.call(contract.UPLOAD_SCANS, {"scans": scans})
    assert [e.loc for e in refused.value.errors] == [["scans", 1, "scannedAt"]]
    assert await checkin.count(tables.access_log) == 0


async def test_an_upload_naming_an_unknown_checkpoint_is_not_found_and_writes_nothing(checkin: CheckinService):
    event = await checkin.seed_event()
    gate = await add_checkpoint(checkin, event)
    (payload,) = await _badges(checkin, event, 1)
    at = datetime.now(UTC) - timedelta(minutes=3)
    scans = [_offline(gate, payload, "known-0001", at), _offline(new_id(), payload, "gone-0001", at)]
    with pytest.raises(NotFound):
        await checkin.call(contract.UPLOAD_SCANS, {"scans": scans})
    assert await checkin.count(tables.access_log) == 0
    assert await checkin.events(contract.SCAN_COMPLETED) == []


async def test_an_upload_needs_a_nonce_and_a_time_for_every_scan(checkin: CheckinService):
    event = await checkin.seed_event()
    gate = await add_checkpoint(checkin, event)
    bare = contract.OfflineScan.model_construct(checkpoint_id=gate, payload="x")
    with pytest.raises(ValidationFailed) as refused:
        await checkin.call(contract.UPLOAD_SCANS, contract.UploadScans.model_construct(scans=[bare]))
    assert sorted(e.loc[-1] for e in refused.value.errors) == ["nonce", "scannedAt"]
