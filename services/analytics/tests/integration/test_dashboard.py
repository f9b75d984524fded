"""The dashboard's CSV byte for byte on a fixed data set, snapshots recorded, queried and deleted, the hourly
snapshot run taken once per hour whatever the replicas, and feature usage counted from their events."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from analytics_svc.adapters import tables
from analytics_svc.application.snapshots import SnapshotJob

from plenary_contracts.catalog import analytics as contract
from plenary_contracts.catalog import comms, registration
from plenary_contracts.errors import NotFound
from plenary_kit.files import read_file
from plenary_kit.ids import new_id

from .conftest import OTHER_TENANT, TENANT


async def test_the_csv_export_has_the_four_blocks_byte_for_byte(analytics):
    await analytics.on()
    today = datetime.now(UTC).replace(hour=10, minute=0, second=0, microsecond=0)
    if today > datetime.now(UTC):
        today -= timedelta(days=1)
    yesterday = today - timedelta(days=1)
    summit = await analytics.event('Summit "2027"')
    expo = await analytics.event("Expo, Lisbon")
    await analytics.workflow(summit)
    a = await analytics.register(summit, at=yesterday)
    b = await analytics.register(summit, at=yesterday)
    await analytics.register(summit, at=today)
    await analytics.register(expo, at=today)
    await analytics.act(a, "APPROVE", "APPROVED", version=2, at=today)
    await analytics.act(b, "REJECT", "REJECTED", version=2, at=today)
    await analytics.settled()

    file = await analytics.call(contract.EXPORT_DASHBOARD, {})
    body = await read_file(analytics.nc.jetstream(), file.key)
    # the last 14 days end at the real today (before 10:00 UTC, ``today`` above is yesterday's 10:00)
    days = [datetime.now(UTC).date() - timedelta(days=n) for n in range(13, -1, -1)]
    activity = {yesterday.date(): (2, 0), today.date(): (2, 1)}
    expected = (
        "Metric,Value\nTotal Events,2\nTotal Participants,4\nTotal Workflows,1\nPending Approvals,2\n"
        "\nStatus,Count\nPENDING,2\nAPPROVED,1\nREJECTED,1\n"
        '\nEvent,Participants\n"Summit ""2027""",3\n"Expo, Lisbon",1\n'
        "\nDate,Registrations,Approvals\n"
        + "\n".join(f"{day.isoformat()},{activity.get(day, (0, 0))[0]},{activity.get(day, (0, 0))[1]}" for day in days)
    )
    assert body == expected.encode()
    assert (file.content_type, file.size) == ("text/csv; charset=utf-8", len(expected.encode()))


async def test_snapshots_are_recorded_queried_in_order_and_deleted_per_tenant(analytics):
    await analytics.on(TENANT, OTHER_TENANT)
    base = datetime(2026, 11, 1, tzinfo=UTC)
    for hours in (2, 0, 1):
        await analytics.call(
            contract.RECORD_SNAPSHOT,
            {"metric": "registrations", "value": hours, "period": "hourly", "timestamp": base + timedelta(hours=hours)},
        )
    await analytics.call(contract.RECORD_SNAPSHOT, {"metric": "approvals", "value": 1.5})
    await analytics.call(contract.RECORD_SNAPSHOT, {"metric": "registrations", "value": 9}, tenant=OTHER_TENANT)

    found = await analytics.call(
        contract.QUERY_SNAPSHOTS, {"metric": "registrations", "from": base, "to": base + timedelta(hours=1)}
    )
    assert [s.value for s in found.data] == [0.0, 1.0]  # oldest first, both ends included
    assert all(s.tenant_id == TENANT and s.period == "hourly" for s in found.data)

    deleted = await analytics.call(contract.DELETE_SNAPSHOTS, {"metric": "registrations"})
    assert deleted.count == 3
    assert (await analytics.call(contract.QUERY_SNAPSHOTS, {"metric": "registrations"})).data == []
    theirs = await analytics.call(contract.QUERY_SNAPSHOTS, {"metric": "registrations"}, tenant=OTHER_TENANT)
    assert [s.value for s in theirs.data] == [9.0]
    assert (await analytics.call(contract.DELETE_SNAPSHOTS, {})).count == 1


async def test_a_snapshot_of_an_unknown_or_another_tenant_s_event_is_not_found(analytics):
    await analytics.on()
    theirs = await analytics.event("Theirs", tenant=OTHER_TENANT)
    await analytics.settled()
    for event_id in (theirs, new_id()):
        with pytest.raises(NotFound):
            await analytics.call(contract.RECORD_SNAPSHOT, {"metric": "m", "value": 1, "eventId": event_id})


async def test_the_hourly_run_is_taken_once_per_hour_and_prunes_snapshots_older_than_90_days(analytics):
    await analytics.on()
    event_id = await analytics.event()
    await analytics.register(event_id)
    await analytics.settled()
    old = datetime.now(UTC) - timedelta(days=91)
    await analytics.call(contract.RECORD_SNAPSHOT, {"metric": "participants", "value": 5, "timestamp": old})
    job, replica = SnapshotJob(analytics.runtime.uow), SnapshotJob(analytics.runtime.uow)

    assert [await job.take(), await replica.take()] == [True, False]

    hourly = await analytics.call(contract.QUERY_SNAPSHOTS, {"metric": "participants", "period": "hourly"})
    assert sorted((s.event_id or "", s.value) for s in hourly.data) == [("", 1.0), (event_id, 1.0)]
    kept = await analytics.call(contract.QUERY_SNAPSHOTS, {"metric": "participants"})
    assert old not in [s.timestamp for s in kept.data]
    captured = await analytics.events(contract.SNAPSHOT_CAPTURED)
    assert [c["count"] for c in captured] == [8]  # 4 metrics, tenant-wide and for the one event
    assert await analytics.scalar(sa.select(sa.func.count()).select_from(tables.snapshot_run)) == 1


async def test_waitlist_and_broadcast_outcomes_are_counted(analytics):
    await analytics.on()
    event_id = await analytics.event()
    now = datetime.now(UTC).isoformat()
    entry = {
        "id": new_id(), "tenantId": TENANT, "eventId": event_id, "participantTypeId": "t", "priority": "STANDARD",
        "status": "ACTIVE", "registrationData": {"participantTypeId": "t", "firstName": "A", "lastName": "B"},
        "notificationsSent": 0, "createdAt": now, "updatedAt": now,
    }  # fmt: skip
    await analytics.send(registration.WAITLIST_ADDED, {"entry": entry})
    await analytics.send(registration.WAITLIST_ADDED, {"entry": {**entry, "id": new_id()}})
    await analytics.send(registration.WAITLIST_PROMOTED, {"entry": entry})
    broadcast = {
        "id": new_id(), "tenantId": TENANT, "eventId": event_id, "body": "Hi", "channel": "EMAIL", "status": "SENT",
        "filters": {}, "recipientCount": 5, "sentCount": 5, "failedCount": 1, "deliveredCount": 4,
        "bouncedCount": 0, "isEmergency": False, "priority": 0, "createdAt": now, "updatedAt": now,
    }  # fmt: skip
    await analytics.send(comms.BROADCAST_SENT, {"broadcast": broadcast})
    await analytics.settled()
    usage = await analytics.call(contract.GET_USAGE, {"eventId": event_id})
    assert {u.kind: u.count for u in usage.usage} == {
        "waitlist.added": 2, "waitlist.promoted": 1, "broadcast.sent": 1, "broadcast.delivered": 4,
        "broadcast.failed": 1,
    }  # fmt: skip
