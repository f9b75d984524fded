"""An in-process gateway (real runtime, real NATS) with fake services answering on the bus."""

import asyncio
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from gateway_svc.application.pipeline import Gateway
from nats.aio.client import Client
from nats.aio.msg import Msg

from plenary_contracts.catalog import identity as contract
from plenary_contracts.credentials import (
    TOKEN_AUDIENCE,
    TOKEN_ISSUER,
    RevocationScope,
    TokenRevocation,
    api_key_hash,
    new_api_key,
    revocation_key,
)
from plenary_contracts.enums import ApiKeyStatus, RateLimitTier
from plenary_contracts.errors import PlenaryError
from plenary_contracts.flags import FlagState
from plenary_contracts.operations import OperationSpec, Reply
from plenary_contracts.streams import API_KEYS_BUCKET, FLAGS_BUCKET, TOKEN_REVOCATIONS_BUCKET
from plenary_kit.bus.rpc import context_from_headers
from plenary_kit.service import Runtime

TENANT = "tenant1"
KNOWN_TENANTS = {TENANT, "tenant2"}  # what the fake identity says exists
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def user(user_id: str = "u1", tenant_id: str | None = TENANT) -> dict[str, Any]:
    return contract.User(
        id=user_id,
        email=f"{user_id}@example.test",
        username=user_id,
        status="ACTIVE",
        tenant_id=tenant_id,
        created_at=NOW,
        updated_at=NOW,
    ).model_dump(mode="json")


@dataclass
class Call:
    subject: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def context(self):  # type: ignore[no-untyped-def]
        return context_from_headers(self.headers)


@dataclass
class FakeService:
    """Answers contract subjects (of any service) with what a test says; remembers every request."""

    nc: Client
    calls: list[Call] = field(default_factory=list)

    async def answer(self, op: OperationSpec, reply: Callable[[dict[str, Any]], Any]) -> None:
        async def on_request(msg: Msg) -> None:
            body = json.loads(msg.data or b"{}")
            self.calls.append(Call(msg.subject, dict(msg.headers or {}), body))
            try:
                outcome = reply(body)
                if asyncio.iscoroutine(outcome):
                    outcome = await outcome
            except PlenaryError as error:
                await msg.respond(Reply(ok=False, error=error.to_body()).model_dump_json().encode())
                return
            if outcome is not None:
                await msg.respond(Reply(ok=True, data=outcome).model_dump_json().encode())

        await self.nc.subscribe(op.subject, queue=op.service, cb=on_request)
        await self.nc.flush()

    def calls_to(self, op: OperationSpec) -> list[Call]:
        return [c for c in self.calls if c.subject == op.subject]


class Tokens:
    """Access tokens signed as identity would, and the key set that verifies them."""

    def __init__(self) -> None:
        self.private = Ed25519PrivateKey.generate()
        self.kid = "kid-" + uuid.uuid4().hex[:8]
        jwk = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(self.private.public_key()))
        self.key_set = {"keys": [jwk | {"kid": self.kid, "use": "sig", "alg": "EdDSA"}]}

    def issue(
        self,
        sub: str = "u1",
        tid: str | None = TENANT,
        grants: tuple[str, ...] = (),
        roles: tuple[str, ...] = (),
        expires_in: int = 900,
        sid: str | None = None,
        gen: int = 0,
    ) -> str:
        now = int(time.time())
        claims = {
            "iss": TOKEN_ISSUER, "aud": TOKEN_AUDIENCE, "sub": sub, "tid": tid, "sid": sid or "s-" + sub,
            "roles": list(roles), "grants": list(grants), "iat": now, "exp": now + expires_in, "jti": uuid.uuid4().hex,
            "gen": gen,
        }  # fmt: skip
        return jwt.encode(claims, self.private, algorithm="EdDSA", headers={"kid": self.kid})


async def put_flag(nc: Client, key: str, **targeting: Any) -> None:
    kv = await nc.jetstream().key_value(FLAGS_BUCKET.name)
    await kv.put(key, FlagState(key=key, **targeting).model_dump_json().encode())


async def put_key(
    nc: Client, secret: str, tenant_id: str = TENANT, **settings: Any
) -> tuple[str, contract.ApiKeyCredential]:
    raw, credential = made_key(secret, tenant_id, **settings)
    kv = await nc.jetstream().key_value(API_KEYS_BUCKET.name)
    await kv.put(credential.lookup_id, credential.model_dump_json().encode())
    return raw, credential


def made_key(secret: str, tenant_id: str = TENANT, **settings: Any) -> tuple[str, contract.ApiKeyCredential]:
    """A raw key and the credential identity would keep for it."""
    raw, parsed = new_api_key(tenant_id)
    credential = contract.ApiKeyCredential(
        id="key-" + parsed.lookup_id[:6],
        lookup_id=parsed.lookup_id,
        tenant_id=tenant_id,
        key_hash=api_key_hash(secret, raw),
        permissions=settings.pop("permissions", ["*"]),
        rate_limit_tier=settings.pop("rate_limit_tier", RateLimitTier.STANDARD),
        status=settings.pop("status", ApiKeyStatus.ACTIVE),
        created_by=settings.pop("created_by", "creator1"),
        **settings,
    )
    return raw, credential


async def revoke(nc: Client, scope: RevocationScope, id_: str, generation: int | None = None) -> None:
    """Write a revocation as identity would."""
    kv = await nc.jetstream().key_value(TOKEN_REVOCATIONS_BUCKET.name)
    await kv.put(revocation_key(scope, id_), TokenRevocation(generation=generation).model_dump_json().encode())


def client_for(app: Any, address: str = "203.0.113.5") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 40000)), base_url="http://gw")


def in_a_minute() -> datetime:
    return datetime.now(UTC) + timedelta(minutes=1)


@dataclass
class Edge:
    runtime: Runtime
    client: httpx.AsyncClient
    services: FakeService
    tokens: Tokens
    nc: Client
    unmirrored_keys: dict[str, contract.ApiKeyCredential] = field(default_factory=dict)  # identity has them

    @property
    def secret(self) -> str:
        return self.runtime.base_settings.api_key_secret

    @property
    def gateway(self) -> Gateway:
        return self.runtime.public_app.state.gateway


def problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """Assert ``response`` is this problem (RFC 9457, with its correlation id); its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert (body["status"], body["code"], body["type"]) == (status, code, f"urn:plenary:problem:{code}")
    assert body["correlationId"] == response.headers["X-Correlation-Id"]
    return body
