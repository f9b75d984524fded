"""Rebuilding the projections by replaying the streams: the rebuilt figures equal the live ones and the owners'
counts, events published during the rebuild are neither lost nor counted twice, the old generation goes."""

import asyncio
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from analytics_svc.adapters import tables

from plenary_contracts.catalog import analytics as contract
from plenary_contracts.errors import Conflict, NotFound
from plenary_kit.ids import new_id

from .conftest import eventually, scripted_day


async def rebuilt(analytics) -> contract.RebuildOperation:
    """Start a rebuild as a global admin and wait until it ends."""
    started = await analytics.call(contract.START_REBUILD, {}, tenant=None)
    assert started.status == "running"

    async def ended() -> contract.RebuildOperation | None:
        op = await analytics.call(contract.GET_REBUILD, {"id": started.id}, tenant=None)
        return op if op.status != "running" else None

    return await eventually(ended, timeout=60)


async def test_a_rebuild_gives_the_live_numbers_and_drops_the_old_generation(analytics):
    await analytics.on()
    ids = await scripted_day(analytics)
    await analytics.settled()
    live = await analytics.figures(eventId=ids["event"])
    assert live["summary"]["total"] == 7

    op = await rebuilt(analytics)

    assert (op.status, op.generation, op.error) == ("succeeded", 2, None)
    assert op.events_replayed > 0 and all(s.replayed == s.end for s in op.streams)
    assert await analytics.figures(eventId=ids["event"]) == live
    generations = await analytics.scalar(
        sa.select(sa.func.array_agg(sa.distinct(tables.participant_count.c.generation)))
    )
    assert generations == [2]


async def test_events_published_during_a_rebuild_are_counted_once(analytics):
    await analytics.on()
    event_id = await analytics.event()
    people = [await analytics.register(event_id) for _ in range(30)]
    await analytics.settled()

    started = await analytics.call(contract.START_REBUILD, {}, tenant=None)
    late = []
    for p in people[:10]:  # while the rebuild runs
        await analytics.act(p, "APPROVE", "APPROVED", version=2, at=datetime.now(UTC))
        late.append(await analytics.register(event_id))
        await asyncio.sleep(0.01)

    async def ended() -> bool:
        op = await analytics.call(contract.GET_REBUILD, {"id": started.id}, tenant=None)
        return op.status == "succeeded"

    await eventually(ended, timeout=60)
    await analytics.settled()
    summary = await analytics.call(contract.GET_SUMMARY, {"eventId": event_id})
    assert (summary.total, summary.approved, summary.pending) == (40, 10, 30)
    throughput = await analytics.call(contract.GET_THROUGHPUT, {"eventId": event_id})
    assert sum(p.count for p in throughput.points) == 10


async def test_one_rebuild_at_a_time_and_an_unknown_one_is_not_found(analytics):
    now = datetime.now(UTC)
    await analytics.execute(
        sa.insert(tables.rebuild_operation).values(
            id=new_id(), status="running", generation=2, started_at=now, updated_at=now
        )
    )
    with pytest.raises(Conflict):
        await analytics.call(contract.START_REBUILD, {}, tenant=None)
    with pytest.raises(NotFound):
        await analytics.call(contract.GET_REBUILD, {"id": new_id()}, tenant=None)


async def test_the_command_line_rebuild_prints_its_progress_and_gives_the_same_numbers(analytics):
    from analytics_svc.entrypoints.cli import rebuild

    await analytics.on()
    ids = await scripted_day(analytics)
    await analytics.settled()
    live = await analytics.figures(eventId=ids["event"])
    lines: list[str] = []

    assert await rebuild(analytics.settings, lines.append, every=0.05)

    assert lines[0].startswith("rebuild ") and '"status":"succeeded"' in lines[-1]
    assert await analytics.figures(eventId=ids["event"]) == live
