"""The init container every Deployment runs: it holds a service until the provisioning job has migrated its
schema and applied the streams, connecting as the service's own role with the URL the pods are given (no
credentials in it). Against real PostgreSQL and nats-server."""

import importlib.util

import nats as nats_client
import pytest
from nats.js.errors import APIError
from sqlalchemy.engine import make_url

from plenary_kit import provision
from plenary_kit.discovery import load_services
from plenary_kit.testing.servers import TEST_PASSWORD, settings_for

from .conftest import DEPLOY


def wait_module():
    spec = importlib.util.spec_from_file_location("wait_provisioned", DEPLOY / "image" / "wait_provisioned.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_a_service_waits_for_its_migrations_then_its_durables_then_starts(database_url, nats, monkeypatch):
    wait = wait_module()
    admin = settings_for(database_url, nats.url)
    without_credentials = make_url(database_url).set(username=None, password=None).render_as_string()
    monkeypatch.setenv("PLENARY_DATABASE_URL", without_credentials)
    monkeypatch.setenv("PLENARY_NATS_URL", nats.url)
    monkeypatch.setenv("PLENARY_DB_ROLE_PASSWORD", TEST_PASSWORD)

    # no schema yet; the role itself may exist already (roles belong to the whole server, and tests share it)
    before = wait.schema_missing("workflow")
    assert before is not None and ("not reachable as its role" in before or "at None" in before), before

    provision.migrate(admin, load_services(["workflow"]))
    assert wait.schema_missing("workflow") is None
    assert "durable" in await wait.streams_missing("workflow")

    await provision.apply_streams(admin)
    assert await wait.streams_missing("workflow") is None
    await wait.wait("workflow", every=0.01)  # returns at once


async def test_streams_are_applied_with_as_many_replicas_as_the_setting_says(nats):
    """One copy on a single nats-server; three, which only a cluster can keep, are asked of the server."""
    with pytest.raises(APIError, match=r"(?i)replicas"):
        await provision.apply_streams(settings_for("postgresql://unused/plenary", nats.url, stream_replicas=3))
    await provision.apply_streams(settings_for("postgresql://unused/plenary", nats.url, stream_replicas=1))
    client = await nats_client.connect(nats.url)
    try:
        infos = await client.jetstream().streams_info()
        assert infos and {info.config.num_replicas for info in infos} == {1}
    finally:
        await client.close()
