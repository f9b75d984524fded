"""The `plenary` command against empty servers, as an operator would run it."""

import os
import subprocess
import sys

import psycopg

from plenary_kit.settings import libpq_url
from plenary_kit.testing.servers import TEST_PASSWORD, subject_count


def plenary(*args: str, database_url: str, nats_url: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PLENARY_DATABASE_URL": database_url,
        "PLENARY_NATS_URL": nats_url,
        "PLENARY_DB_ROLE_PASSWORD": TEST_PASSWORD,
    }
    return subprocess.run(
        [sys.executable, "-m", "plenary_cli", *args], env=env, capture_output=True, text=True, timeout=300
    )


def _count(url: str, sql: str) -> int:
    with psycopg.connect(libpq_url(url)) as conn:
        return conn.execute(sql).fetchone()[0]  # type: ignore[index]


def test_migrate_streams_and_seed_twice_on_empty_servers_leave_every_table_permission_and_flag(database_url, nats):
    urls = {"database_url": database_url, "nats_url": nats.url}
    for args in (("migrate",), ("streams", "apply"), ("seed",), ("seed",)):
        result = plenary(*args, **urls)
        assert result.returncode == 0, result.stderr
    assert "identity: 54 permissions, 7 roles, 23 flags" in result.stdout
    tables = _count(
        database_url,
        "SELECT count(*) FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')",
    )
    plumbing = 13 * 4  # outbox, inbox, idempotency_key, alembic_version per service
    owned = {"identity": 10, "events": 7, "registration": 14, "workflow": 13, "delegation": 2, "views": 2}
    owned |= {"custom_objects": 2, "analytics": 11, "webhooks": 4, "checkin": 11, "comms": 9}
    owned |= {"audit": 1}
    assert tables == plumbing + sum(owned.values())
    assert _count(database_url, "SELECT count(*) FROM identity.permission") == 54
    assert _count(database_url, "SELECT count(*) FROM identity.feature_flag WHERE NOT enabled") == 23
    doctor = plenary("doctor", **urls)
    assert doctor.returncode == 0, doctor.stdout
    assert "all good" in doctor.stdout


def test_doctor_says_what_is_missing_in_plain_words(database_url, nats):
    result = plenary("doctor", database_url=database_url, nats_url=nats.url)
    assert result.returncode == 1
    assert "run `plenary migrate identity`" in result.stdout
    assert "run `plenary streams apply`" in result.stdout


def test_an_unreachable_database_is_one_plain_error_not_a_traceback(nats):
    result = plenary("migrate", database_url="postgresql://nobody:x@127.0.0.1:1/none", nats_url=nats.url)
    assert result.returncode == 1
    assert "PostgreSQL is not reachable" in result.stderr
    assert "Traceback" not in result.stderr


async def _publish_dead_letter(nats_url: str) -> None:
    from plenary_contracts import streams
    from plenary_contracts.envelope import CloudEvent
    from plenary_kit.bus.connection import connect

    event = CloudEvent(source="/plenary/identity", type="plenary.identity.probe.happened.v1", data={"n": 1})
    headers = {
        **event.to_nats_headers(),
        streams.DEAD_LETTER_ERROR: "RuntimeError: boom",
        streams.DEAD_LETTER_CONSUMER: "probe_fails",
        streams.DEAD_LETTER_DELIVERIES: "3",
        streams.DEAD_LETTER_SUBJECT: "evt.identity.probe.happened",
    }
    del headers["Nats-Msg-Id"]
    nc = await connect(nats_url, "test")
    try:
        await nc.jetstream().publish("dlq.identity.probe_fails", event.to_nats_payload(), headers=headers)
    finally:
        await nc.drain()


def test_dead_letters_are_listed_with_their_error_and_replayed_to_their_subject(database_url, nats):
    import asyncio

    urls = {"database_url": database_url, "nats_url": nats.url}
    assert plenary("streams", "apply", **urls).returncode == 0
    asyncio.run(_publish_dead_letter(nats.url))

    listed = plenary("dlq", "list", **urls)
    assert listed.returncode == 0, listed.stderr
    sequence, consumer, subject, error = listed.stdout.splitlines()[0].split("\t")
    assert (consumer, subject, error) == ("probe_fails", "evt.identity.probe.happened", "RuntimeError: boom")

    replayed = plenary("dlq", "replay", sequence, **urls)
    assert replayed.returncode == 0, replayed.stderr
    assert asyncio.run(subject_count(nats.url, "EVT_IDENTITY", "evt.identity.probe.happened")) == 1
    assert plenary("dlq", "list", **urls).stdout.strip() == "0 dead letter(s)"
