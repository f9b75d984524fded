"""A running identity on real PostgreSQL and nats-server, driven over the bus as the gateway would."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import jwt
import pytest
import sqlalchemy as sa
from identity_svc.adapters.tables import user
from identity_svc.bootstrap import SERVICE as IDENTITY
from nats.aio.client import Client
from pydantic import BaseModel

from plenary_contracts.catalog import identity as contract
from plenary_contracts.credentials import TOKEN_ALGORITHM, TOKEN_AUDIENCE, TOKEN_ISSUER
from plenary_contracts.events import EventSpec
from plenary_contracts.operations import OperationSpec
from plenary_kit import context as ctx
from plenary_kit import provision
from plenary_kit.bus.connection import connect
from plenary_kit.bus.rpc import call
from plenary_kit.service import Runtime
from plenary_kit.settings import Settings

ADMIN_PASSWORD = "admin-password-for-identity-tests"
PASSWORD = "a-long-enough-password"


@dataclass
class Identity:
    runtime: Runtime
    nc: Client
    settings: Settings
    admin_id: str

    async def call(
        self,
        spec: OperationSpec,
        request: BaseModel | dict[str, Any],
        *,
        tenant: str | None = None,
        actor: str | None = None,
        **context: Any,
    ) -> Any:
        return await call(self.nc, spec, request, context=ctx.Context(tenant_id=tenant, actor_id=actor, **context))

    async def as_admin(self, spec: OperationSpec, request: BaseModel | dict[str, Any], **context: Any) -> Any:
        """A global administrator's call; ``tenant=`` acts inside a tenant (the gateway's X-Tenant-Id)."""
        return await self.call(spec, request, actor=self.admin_id, **context)

    async def tenant(self, slug: str) -> contract.Tenant:
        body = {"name": slug.title(), "slug": slug, "email": f"office@{slug}.test"}
        return await self.as_admin(contract.CREATE_TENANT, body)

    async def user(self, tenant_id: str | None, username: str, roles: tuple[str, ...] = ()) -> contract.User:
        body = {
            "email": f"{username}@users.test",
            "username": username,
            "password": PASSWORD,
            "tenantId": tenant_id,
            "roles": [{"role": r} for r in roles],
        }
        return await self.as_admin(contract.CREATE_USER, body)

    async def login(self, identifier: str, password: str = PASSWORD) -> contract.TokenPair:
        return await self.call(contract.LOGIN, {"identifier": identifier, "password": password})

    async def claims(self, access_token: str) -> dict[str, Any]:
        """Verify a token as the gateway does: with the published key set only."""
        keys = (await self.call(contract.GET_KEY_SET, {})).keys
        kid = jwt.get_unverified_header(access_token)["kid"]
        jwk = next(k for k in keys if k["kid"] == kid)
        return jwt.decode(
            access_token, jwt.PyJWK(jwk).key, algorithms=[TOKEN_ALGORITHM], audience=TOKEN_AUDIENCE, issuer=TOKEN_ISSUER
        )

    async def events(self, spec: EventSpec) -> list[dict[str, Any]]:
        """Envelopes of the events of one kind that committed, oldest first."""
        outbox = IDENTITY.messaging.outbox
        async with self.runtime.engine.connect() as conn:
            rows = await conn.execute(
                sa.select(outbox.c.envelope).where(outbox.c.subject == spec.subject).order_by(outbox.c.created_at)
            )
            return [r.envelope for r in rows]

    async def execute(self, statement: Any) -> Any:
        async with self.runtime.engine.begin() as conn:
            return await conn.execute(statement)


@pytest.fixture
async def identity(plenary_settings: Settings) -> AsyncIterator[Identity]:
    # The sweeper is driven by the tests themselves, never by the clock.
    settings = plenary_settings.model_copy(update={"admin_password": ADMIN_PASSWORD, "api_key_sweep_seconds": 3600})
    await provision.seed(settings, [IDENTITY])
    runtime = Runtime(IDENTITY, settings)
    await runtime.start()
    nc = await connect(settings.nats_url, "identity-test")
    async with runtime.engine.connect() as conn:
        admin_id = (
            await conn.execute(sa.select(user.c.id).where(user.c.username == contract.ADMIN_USERNAME))
        ).scalar_one()
    try:
        yield Identity(runtime, nc, settings, admin_id)
    finally:
        await nc.drain()
        await runtime.stop()
