"""Nothing lost, nothing twice: the workflow process killed with SIGKILL while participants stream in."""

import asyncio
import os
import signal
from collections import Counter
from pathlib import Path

import sqlalchemy as sa
from workflow_svc.adapters.tables import participant
from workflow_svc.bootstrap import SERVICE as WORKFLOW

from plenary_contracts.catalog import workflow as contract
from plenary_contracts.envelope import CloudEvent
from plenary_contracts.streams import CONSUMERS, event_stream_name
from plenary_kit.testing.plugin import eventually
from plenary_kit.testing.processes import ServiceProcess
from plenary_kit.testing.servers import TEST_PASSWORD, free_port_range

PARTICIPANTS = 60
# JetStream hands a dead consumer's unacknowledged messages out again after the durable's ack wait (30 s in the
# contracts); the test shortens it on the server, which changes when they come back, not how.
ACK_WAIT_SECONDS = 3.0


def _process(settings, workdir: Path) -> ServiceProcess:  # type: ignore[no-untyped-def]
    env = {
        **os.environ,
        "PLENARY_DATABASE_URL": settings.database_url,
        "PLENARY_NATS_URL": settings.nats_url,
        "PLENARY_DB_ROLE_PASSWORD": TEST_PASSWORD,
        "PLENARY_OUTBOX_POLL_SECONDS": "0.2",
        "PLENARY_LOG_JSON": "false",
    }
    return ServiceProcess.of("workflow", env, workdir / "workflow.log", free_port_range(1))


async def test_a_killed_workflow_process_resumes_and_enters_every_participant_exactly_once(
    workflow, plenary_workdir: Path
):
    await workflow.build([{"key": "desk", "isEntryPoint": True, "isTerminal": True}])
    await workflow.runtime.stop()  # from here on only the child process consumes
    await _shorten_ack_waits(workflow)
    child = _process(workflow.settings, plenary_workdir)
    child.start()
    try:
        await asyncio.to_thread(child.wait_ready)
        ids = [await workflow.register() for _ in range(PARTICIPANTS)]

        async def some_entered() -> bool:
            return await _entered(workflow) > 0

        await eventually(some_entered, timeout=30)
        assert child.popen is not None
        child.popen.send_signal(signal.SIGKILL)
        child.popen.wait()
        child.start()
        await asyncio.to_thread(child.wait_ready)

        async def all_entered() -> bool:
            return await _entered(workflow) == PARTICIPANTS

        await eventually(all_entered, timeout=60)
        counts = await _published_entries(workflow)
        await eventually(lambda: _stream_has(workflow, PARTICIPANTS), timeout=30)
    finally:
        child.stop()
    assert set(counts) == set(ids) and set(counts.values()) == {1}


async def _shorten_ack_waits(workflow) -> None:  # type: ignore[no-untyped-def]
    js = workflow.nc.jetstream()
    for spec in CONSUMERS:
        if spec.service == "workflow":
            for lane in spec.durables():
                config = (await js.consumer_info(spec.stream, lane.durable)).config
                await js.add_consumer(spec.stream, config.evolve(ack_wait=ACK_WAIT_SECONDS))
                assert (await js.consumer_info(spec.stream, lane.durable)).config.ack_wait == ACK_WAIT_SECONDS


async def _entered(workflow) -> int:  # type: ignore[no-untyped-def]
    rows = await workflow.execute(sa.select(sa.func.count()).where(participant.c.current_step_id.is_not(None)))
    return rows.scalar_one()


async def _published_entries(workflow) -> Counter[str]:  # type: ignore[no-untyped-def]
    outbox = WORKFLOW.messaging.outbox
    rows = await workflow.execute(
        sa.select(outbox.c.envelope).where(outbox.c.subject == contract.PARTICIPANT_ENTERED.subject)
    )
    return Counter(r.envelope["data"]["participantId"] for r in rows)


async def _stream_has(workflow, expected: int) -> bool:  # type: ignore[no-untyped-def]
    js = workflow.nc.jetstream()
    stream = event_stream_name("workflow")
    info = await js.stream_info(stream)
    seen: Counter[str] = Counter()
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        message = await js.get_msg(stream, seq)
        if message.subject == contract.PARTICIPANT_ENTERED.subject:
            seen[CloudEvent.from_nats(message.headers, message.data).data["participantId"]] += 1
    return len(seen) == expected and set(seen.values()) == {1}
