"""A comms process killed with SIGKILL mid-send: its leased deliveries come due again and every recipient gets
the message; a message the server accepted just before the kill, whose result was never written, may go out
again, with the same Message-ID (the delivery's id), so the receiver sees it as the same message."""

import asyncio
import os
import signal
from pathlib import Path

from comms_svc.adapters import tables
from comms_svc.adapters.channels import message_id

from plenary_contracts.catalog import comms as contract
from plenary_kit.testing.processes import ServiceProcess
from plenary_kit.testing.servers import TEST_PASSWORD, free_port_range

from .conftest import eventually

RECIPIENTS = 200
BATCH = 10


def _process(comms, workdir: Path) -> ServiceProcess:  # type: ignore[no-untyped-def]
    settings = comms.settings
    env = {
        **os.environ,
        "PLENARY_DATABASE_URL": settings.database_url,
        "PLENARY_NATS_URL": settings.nats_url,
        "PLENARY_DB_ROLE_PASSWORD": TEST_PASSWORD,
        "PLENARY_OUTBOX_POLL_SECONDS": "0.2",
        "PLENARY_LOG_JSON": "false",
        "PLENARY_SMTP_HOST": settings.smtp_host,
        "PLENARY_SMTP_PORT": str(settings.smtp_port),
        "PLENARY_SMTP_STARTTLS": "false",
        "PLENARY_COMMS_BATCH_SIZE": str(BATCH),
        "PLENARY_COMMS_SENDERS": "2",
        "PLENARY_COMMS_POLL_SECONDS": "0.1",
        "PLENARY_COMMS_LEASE_SECONDS": "2",
    }
    return ServiceProcess.of("comms", env, workdir / "comms.log", free_port_range(1))


async def test_a_killed_comms_process_resumes_and_every_recipient_gets_the_message(comms, plenary_workdir: Path):
    comms.sink.pause = 0.01
    event = await comms.seed_event()
    people = await comms.populate(event, RECIPIENTS)
    draft = await comms.call(
        contract.CREATE_BROADCAST, {"eventId": event.id, "channel": "EMAIL", "body": "Hi {{name}}"}
    )
    await comms.runtime.stop()  # from here on only the child process sends
    child = _process(comms, plenary_workdir)
    child.start()
    try:
        await asyncio.to_thread(child.wait_ready)
        await comms.call(contract.SEND_BROADCAST, {"id": draft.id})
        await eventually(lambda: len(comms.sink.ids()) >= 40, timeout=30)
        assert child.popen is not None
        child.popen.send_signal(signal.SIGKILL)
        child.popen.wait()
        assert len(comms.sink.ids()) < RECIPIENTS, "the kill must happen mid-send"
        child.start()
        await asyncio.to_thread(child.wait_ready)
        done = await comms.settled(draft.id, timeout=60)
    finally:
        child.stop()
    ids = comms.sink.ids()
    assert len(set(ids)) == RECIPIENTS
    assert len(ids) - RECIPIENTS <= BATCH  # at most the batch in hand at the kill went out twice
    assert (done.sent_count, done.failed_count) == (RECIPIENTS, 0)
    assert all(len(comms.sink.to(p["email"])) >= 1 for p in people)
    rows = await comms.execute(
        tables.message_delivery.select().where(tables.message_delivery.c.broadcast_id == draft.id)
    )
    assert {message_id(r.id) for r in rows} == set(ids)
