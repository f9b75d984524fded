"""The servers the test fixtures share between tests give each test the same clean start a new one would."""

import asyncio
import socket
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from plenary_kit.provision import apply_streams
from plenary_kit.testing.servers import DatabasePool, PostgresServer, ReusableNats, _libpq, settings_for


async def _stream_names(url: str) -> list[str]:
    import nats

    nc = await nats.connect(url)
    try:
        return sorted(stream.config.name for stream in await nc.jetstream().streams_info())
    finally:
        await nc.drain()


def _client_of(url: str) -> socket.socket:
    address = make_url(url.replace("nats://", "nats://x@"))
    return socket.create_connection((address.host, address.port))


def test_a_lent_nats_server_comes_back_with_no_stream_bucket_or_object_store(plenary_workdir: Path):
    servers = ReusableNats(plenary_workdir)
    try:
        with servers.lend() as first:
            asyncio.run(apply_streams(settings_for("postgresql://unused/x", first.url)))
            assert asyncio.run(_stream_names(first.url))
        with servers.lend() as second:
            assert second.url == first.url
            assert asyncio.run(_stream_names(second.url)) == []
    finally:
        servers.close()


def test_a_nats_server_left_with_a_client_connected_is_not_lent_again(plenary_workdir: Path):
    servers = ReusableNats(plenary_workdir)
    try:
        with servers.lend() as first:
            leftover = _client_of(first.url)
        try:
            with servers.lend() as second:
                assert second.url != first.url
        finally:
            leftover.close()
    finally:
        servers.close()


def test_a_nats_server_left_stopped_is_replaced_by_a_running_one(plenary_workdir: Path):
    servers = ReusableNats(plenary_workdir)
    try:
        with servers.lend() as first:
            first.stop()
        with servers.lend() as second:
            assert second.url != first.url
            assert asyncio.run(_stream_names(second.url)) == []
    finally:
        servers.close()


def _databases(postgres: PostgresServer) -> set[str]:
    with psycopg.connect(_libpq(postgres.admin_url), autocommit=True) as conn:
        return {name for (name,) in conn.execute("SELECT datname FROM pg_database")}


def test_pooled_databases_are_each_a_new_copy_of_the_template_and_closing_drops_the_unused(
    postgres: PostgresServer,
):
    template = postgres.create_database()
    with psycopg.connect(_libpq(postgres.url_for(template)), autocommit=True) as conn:
        conn.execute("CREATE TABLE marker (n int)")
    before = _databases(postgres)
    pool = DatabasePool(postgres, template)
    try:
        first, second = pool.take(), pool.take()
        assert first != second
        with psycopg.connect(_libpq(postgres.url_for(first)), autocommit=True) as conn:
            conn.execute("INSERT INTO marker VALUES (1)")
        with psycopg.connect(_libpq(postgres.url_for(second)), autocommit=True) as conn:
            assert conn.execute("SELECT count(*) FROM marker").fetchone() == (0,)
        postgres.drop_database(first)
        postgres.drop_database(second)
    finally:
        pool.close()
    assert _databases(postgres) == before
    postgres.drop_database(template)
