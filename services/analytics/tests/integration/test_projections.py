"""The projections consumed from the owners' streams: a scripted day equals the owners' counts, a redelivered
event counts once, deletions and merges count as registration counts them, a deleted event's figures go,
and one tenant never sees another's."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from plenary_contracts.catalog import analytics as contract
from plenary_contracts.catalog import identity, registration
from plenary_contracts.errors import FeatureDisabled, NotFound

from .conftest import OTHER_TENANT, TENANT, scripted_day


async def test_a_scripted_day_gives_the_owners_counts(analytics):
    await analytics.on()
    ids = await scripted_day(analytics)
    await analytics.settled()

    summary = await analytics.call(contract.GET_SUMMARY, {"eventId": ids["event"]})
    # registration holds 9 live participants in the event: 8 + 1 of type b, less the merged and the deleted one
    assert (summary.total, summary.approved, summary.rejected, summary.pending) == (7, 4, 1, 2)
    assert summary.completion_rate == round(5 * 100 / 7, 1)
    assert summary.avg_processing_time_minutes == round((30 + 31 + 32 + 33 + 60) / 5, 1)

    board = await analytics.call(contract.GET_DASHBOARD, {})
    assert (board.total_events, board.total_participants, board.total_workflows, board.pending_approvals) == (
        2, 8, 1, 3,
    )  # fmt: skip
    assert [(e.event_name, e.count) for e in board.participants_by_event] == [("Summit", 7), ("Expo", 1)]
    assert {s.status.value: s.count for s in board.registrations_by_status} == {
        "PENDING": 3, "APPROVED": 4, "REJECTED": 1,
    }  # fmt: skip
    assert sum(day.registrations for day in board.recent_activity) == 8
    assert sum(day.approvals for day in board.recent_activity) == 4

    typed = await analytics.call(contract.GET_SUMMARY, {"eventId": ids["event"], "participantTypeId": "type-b"})
    assert typed.total == 1
    funnel = await analytics.call(contract.GET_FUNNEL, {"eventId": ids["event"]})
    assert [(s.stage, s.count) for s in funnel.stages] == [
        ("registered", 7), ("reviewed", 5), ("approved", 4), ("printed", 0),
    ]  # fmt: skip
    sla = await analytics.call(contract.GET_SLA_COMPLIANCE, {"eventId": ids["event"]})
    assert [(s.step_name, s.total_processed, s.within_sla) for s in sla.steps] == [("Review", 5, 5)]
    scans = await analytics.call(contract.GET_SCAN_ACTIVITY, {"eventId": ids["event"]})
    assert [(h.entries, h.exits, h.refused, h.occupancy_change) for h in scans.hours] == [(2, 1, 1, 1)]


async def test_a_redelivered_event_counts_once(analytics):
    await analytics.on()
    event_id = await analytics.event()
    p = await analytics.register(event_id)
    await analytics.settled()
    registered = await analytics.send(registration.PARTICIPANT_REGISTERED, {"participant": p.record})
    await analytics.redeliver(registration.PARTICIPANT_REGISTERED, registered)
    await analytics.redeliver(registration.PARTICIPANT_REGISTERED, registered)
    approved_at = datetime.now(UTC)
    await analytics.act(p, "APPROVE", "APPROVED", version=2, at=approved_at)
    await analytics.settled()
    summary = await analytics.call(contract.GET_SUMMARY, {"eventId": event_id})
    assert (summary.total, summary.approved) == (1, 1)
    throughput = await analytics.call(contract.GET_THROUGHPUT, {"eventId": event_id, "granularity": "hour"})
    assert [(p.period, p.count) for p in throughput.points] == [(approved_at.strftime("%Y-%m-%dT%H:00:00Z"), 1)]


async def test_a_status_older_than_the_held_one_never_takes_a_participant_back(analytics):
    await analytics.on()
    event_id = await analytics.event()
    p = await analytics.register(event_id)
    now = datetime.now(UTC)
    await analytics.act(p, "APPROVE", "APPROVED", version=3, at=now)
    await analytics.act(p, "REJECT", "REJECTED", version=2, at=now - timedelta(seconds=5))
    await analytics.settled()
    summary = await analytics.call(contract.GET_SUMMARY, {"eventId": event_id})
    assert (summary.approved, summary.rejected) == (1, 0)


async def test_a_deleted_event_s_participants_and_figures_go(analytics):
    await analytics.on()
    kept, gone = await analytics.event("Kept"), await analytics.event("Gone")
    await analytics.register(kept)
    p = await analytics.register(gone)
    await analytics.act(p, "APPROVE", "APPROVED", version=2, at=datetime.now(UTC))
    await analytics.settled()
    await analytics.delete_event(gone)
    await analytics.settled()
    board = await analytics.call(contract.GET_DASHBOARD, {})
    assert (board.total_events, board.total_participants) == (1, 1)
    assert [e.event_name for e in board.participants_by_event] == ["Kept"]
    with pytest.raises(NotFound):
        await analytics.call(contract.GET_SUMMARY, {"eventId": gone})


async def test_one_tenant_never_sees_another_s_figures(analytics):
    await analytics.on(TENANT, OTHER_TENANT)
    mine = await analytics.event("Mine")
    theirs = await analytics.event("Theirs", tenant=OTHER_TENANT)
    await analytics.register(mine)
    await analytics.register(theirs, tenant=OTHER_TENANT)
    await analytics.register(theirs, tenant=OTHER_TENANT)
    await analytics.settled()
    board = await analytics.call(contract.GET_DASHBOARD, {}, tenant=TENANT)
    assert [(e.event_name, e.count) for e in board.participants_by_event] == [("Mine", 1)]
    with pytest.raises(NotFound):
        await analytics.call(contract.GET_FUNNEL, {"eventId": theirs}, tenant=TENANT)


async def test_a_deleted_tenant_s_figures_go(analytics):
    await analytics.on(OTHER_TENANT)
    theirs = await analytics.event("Theirs", tenant=OTHER_TENANT)
    await analytics.register(theirs, tenant=OTHER_TENANT)
    await analytics.settled()
    await analytics.send(identity.TENANT_DELETED, {"tenantId": OTHER_TENANT}, tenant=OTHER_TENANT)
    await analytics.settled()
    board = await analytics.call(contract.GET_DASHBOARD, {}, tenant=OTHER_TENANT)
    assert (board.total_events, board.total_participants) == (0, 0)


async def test_the_dashboard_is_refused_while_its_flag_is_off(analytics):
    with pytest.raises(FeatureDisabled):
        await analytics.call(contract.GET_DASHBOARD, {})
    with pytest.raises(FeatureDisabled):
        await analytics.call(contract.GET_SUMMARY, {})


async def test_each_counted_batch_tells_each_tenant_whose_figures_moved_and_no_one_else(analytics):
    mine = await analytics.event("Mine")
    theirs = await analytics.event("Theirs", tenant=OTHER_TENANT)
    await analytics.register(mine)
    await analytics.register(theirs, tenant=OTHER_TENANT)
    await analytics.settled()
    outbox = analytics.runtime.spec.messaging.outbox
    changed = outbox.c.envelope["type"].astext == contract.FIGURES_CHANGED.type
    rows = await analytics.execute(sa.select(outbox.c.envelope).where(changed))
    moved: dict[str, set[str]] = {}
    for row in rows:
        moved.setdefault(row.envelope["tenantid"], set()).update(row.envelope["data"]["eventIds"])
    assert moved == {TENANT: {mine}, OTHER_TENANT: {theirs}}
