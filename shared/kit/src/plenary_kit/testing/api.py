"""Drive the public API as an integrator would: log in, create tenants, users and keys, wait on mirrors."""

import asyncio
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from plenary_contracts.catalog.identity import ADMIN_USERNAME

from .. import provision
from ..discovery import load_services
from .processes import ServiceProcess, start_all
from .servers import TEST_PASSWORD, free_port_range, settings_for

PASSWORD = "a-long-enough-password"


@dataclass
class Api:
    """The running platform and shortcuts to drive it as an integrator would."""

    gateways: list[str]
    nats_url: str
    processes: dict[str, ServiceProcess]
    admin_password: str
    tokens: dict[str, str] = field(default_factory=dict)

    def request(
        self,
        method: str,
        path: str,
        *,
        gateway: int = 0,
        token: str | None = None,
        key: str | None = None,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        sent = dict(headers or {})
        if token:
            sent["Authorization"] = f"Bearer {token}"
        if key:
            sent["X-API-Key"] = key
        return httpx.request(method, self.gateways[gateway] + path, headers=sent, timeout=30, **kwargs)

    def ok(self, method: str, path: str, status: int = 200, **kwargs: Any) -> dict[str, Any]:
        response = self.request(method, path, **kwargs)
        assert response.status_code == status, (response.status_code, response.text)
        return response.json() if response.content else {}

    def login(self, identifier: str, password: str = PASSWORD) -> dict[str, Any]:
        return self.ok("POST", "/api/v1/auth/login", json={"identifier": identifier, "password": password})["data"]

    @property
    def admin(self) -> str:
        if "admin" not in self.tokens:
            self.tokens["admin"] = self.login(ADMIN_USERNAME, self.admin_password)["accessToken"]
        return self.tokens["admin"]

    def create_tenant(self, slug: str) -> str:
        body = {"name": slug.title(), "slug": slug, "email": f"office@{slug}.test", "phone": "+1 555 0100"}
        return self.ok("POST", "/api/v1/tenants", 201, token=self.admin, json=body)["data"]["id"]

    def create_user(self, tenant_id: str, username: str, roles: list[str]) -> str:
        body = {
            "email": f"{username}@users.test",
            "username": username,
            "name": username.title(),
            "password": PASSWORD,
            "tenantId": tenant_id,
            "roles": [{"role": r} for r in roles],
        }
        return self.ok("POST", "/api/v1/users", 201, token=self.admin, json=body)["data"]["id"]

    def enable_rest_api(self, tenant_ids: list[str]) -> None:
        self.ok("PATCH", "/api/v1/feature-flags/FF_REST_API", token=self.admin, json={"enabledForTenants": tenant_ids})

    def create_key(self, token: str, **fields: Any) -> tuple[dict[str, Any], str]:
        body = {"name": "integration", "permissions": ["*"]} | fields
        data = self.ok("POST", "/api/v1/api-keys", 201, token=token, json=body)["data"]
        return data["apiKey"], data["rawKey"]

    def until(self, check, timeout: float = 15.0):  # type: ignore[no-untyped-def]
        """Poll ``check`` until it returns a truthy value (changes travel by events and KV mirrors)."""
        deadline = time.monotonic() + timeout
        while True:
            value = check()
            if value:
                return value
            assert time.monotonic() < deadline, f"condition not met within {timeout}s (last: {value!r})"
            time.sleep(0.1)


@contextmanager
def api_platform(
    database_url: str,
    nats_url: str,
    workdir: Path,
    admin_password: str,
    env: dict[str, str] | None = None,
    gateways: int = 2,
    services: tuple[str, ...] = ("identity",),
) -> Iterator[Api]:
    """``services`` (identity first) and ``gateways`` gateway replicas as processes on an empty database,
    migrated and seeded."""
    settings = settings_for(database_url, nats_url, admin_password=admin_password)
    specs = load_services([*services, "gateway"])
    provision.migrate(settings, specs)
    asyncio.run(provision.apply_streams(settings))
    asyncio.run(provision.seed(settings, specs))
    base = free_port_range(len(services) + 2 * gateways)
    common = {
        **os.environ,
        "PLENARY_DATABASE_URL": database_url,
        "PLENARY_NATS_URL": nats_url,
        "PLENARY_DB_ROLE_PASSWORD": TEST_PASSWORD,
        "PLENARY_HOME": str(workdir / "home"),
        "PLENARY_OUTBOX_POLL_SECONDS": "0.2",
        "PLENARY_LOG_JSON": "false",
        "PYTHONUNBUFFERED": "1",
    } | (env or {})
    processes = {
        name: ServiceProcess.of(name, common, workdir / f"{name}.log", base + index)
        for index, name in enumerate(services)
    }
    urls = []
    for replica in range(1, gateways + 1):
        http_port, health_port = base + len(services) + 2 * replica - 2, base + len(services) + 2 * replica - 1
        name = f"gateway{replica}"
        with_http = common | {"PLENARY_HTTP_PORT": str(http_port)}
        processes[name] = ServiceProcess.of("gateway", with_http, workdir / f"{name}.log", health_port, label=name)
        urls.append(f"http://127.0.0.1:{http_port}")
    try:
        start_all(list(processes.values()))
        yield Api(urls, nats_url, processes, admin_password)
    finally:
        for process in processes.values():
            process.stop()
