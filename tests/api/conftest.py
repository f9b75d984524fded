"""The public API as integrators meet it: identity and two gateway replicas as real processes, on real
PostgreSQL and nats-server, driven over HTTP."""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from plenary_kit.testing.api import Api, api_platform
from plenary_kit.testing.servers import nats_server

ADMIN_PASSWORD = "admin-password-for-tests"


@dataclass
class Tenant:
    id: str
    admin_token: str
    key: str
    key_id: str


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The OpenAPI fuzzer runs after this package's other tests, whatever their names: it changes flags and
    creates rows at random. The package's tests stay together, so its platform starts once."""
    here = [n for n, item in enumerate(items) if item.path.parent == Path(__file__).parent]
    ordered = sorted((items[n] for n in here), key=lambda item: item.path.name == "test_openapi.py")
    for n, item in zip(here, ordered, strict=True):
        items[n] = item


@pytest.fixture(scope="package")
def api(postgres, plenary_workdir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with nats_server(plenary_workdir) as nats:
        database = postgres.create_database()
        try:
            fast_timers = {"PLENARY_API_KEY_SWEEP_SECONDS": "0.5", "PLENARY_USAGE_FLUSH_SECONDS": "0.5"}
            # webhooks deliver to the tests' own receivers on 127.0.0.1, over plain http
            local_webhooks = {
                "PLENARY_WEBHOOK_ALLOWED_NETWORKS": '["127.0.0.0/8"]',
                "PLENARY_WEBHOOK_ALLOW_HTTP": "true",
            }
            with api_platform(
                postgres.url_for(database),
                nats.url,
                tmp_path_factory.mktemp("api"),
                ADMIN_PASSWORD,
                fast_timers | local_webhooks,
                services=(
                    "identity",
                    "events",
                    "registration",
                    "workflow",
                    "checkin",
                    "webhooks",
                    "comms",
                    "custom-objects",
                    "views",
                    "delegation",
                    "analytics",
                    "audit",
                ),
            ) as api:
                yield api
        finally:
            postgres.drop_database(database)


def _tenant(api: Api, slug: str) -> Tenant:
    tenant_id = api.create_tenant(slug)
    api.create_user(tenant_id, f"{slug}-admin", ["TENANT_ADMIN"])
    token = api.login(f"{slug}-admin")["accessToken"]
    key, raw = api.create_key(token, name=f"{slug} integration", rateLimitTier="CUSTOM", rateLimitCustom=100_000)
    return Tenant(tenant_id, token, raw, key["id"])


@pytest.fixture(scope="package")
def tenants(api: Api) -> tuple[Tenant, Tenant]:
    """Two tenants, each with a TENANT_ADMIN user and a wide API key; FF_REST_API on for both."""
    acme, globex = _tenant(api, "acme"), _tenant(api, "globex")
    api.enable_rest_api([acme.id, globex.id])
    return acme, globex


@pytest.fixture
def acme(tenants: tuple[Tenant, Tenant]) -> Tenant:
    return tenants[0]


@pytest.fixture
def globex(tenants: tuple[Tenant, Tenant]) -> Tenant:
    return tenants[1]


@pytest.fixture
def key_usable(api: Api):  # type: ignore[no-untyped-def]
    """Wait until a new key has reached the gateways' mirrors (identity → event → KV → gateway)."""

    def wait(raw: str, gateway: int | None = None) -> None:
        for g in [gateway] if gateway is not None else range(len(api.gateways)):
            api.until(lambda g=g: api.request("GET", "/api/v1/auth/me", gateway=g, key=raw).status_code == 200)

    return wait
