"""The Ed25519 keys that sign access tokens, stored in ``signing_key``; the JWKS is their public half."""

import asyncio
import base64
import time
from typing import Any

import jwt
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from plenary_contracts.credentials import TOKEN_ALGORITHM
from plenary_kit.ids import new_id

from .tables import signing_key

_CACHE_SECONDS = 300.0  # a key retired in the database stops signing here within this time


def public_jwk(kid: str, key: Ed25519PrivateKey) -> dict[str, str]:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    x = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    return {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid, "alg": TOKEN_ALGORITHM, "use": "sig"}


async def ensure_key(conn: AsyncConnection) -> tuple[str, str]:
    """The newest usable key as (kid, private PEM), created when there is none.

    An advisory lock makes concurrent first callers (replicas, the seed) agree on one key.
    """
    found = await _newest(conn)
    if found is not None:
        return found
    await conn.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext("identity.signing_key"))))
    found = await _newest(conn)
    if found is not None:
        return found
    kid, key = new_id(), Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    await conn.execute(sa.insert(signing_key).values(id=kid, private_key_pem=pem, public_jwk=public_jwk(kid, key)))
    return kid, pem


async def _newest(conn: AsyncConnection) -> tuple[str, str] | None:
    row = (
        await conn.execute(
            sa.select(signing_key.c.id, signing_key.c.private_key_pem)
            .where(signing_key.c.retired_at.is_(None))
            .order_by(signing_key.c.created_at.desc(), signing_key.c.id.desc())
            .limit(1)
        )
    ).first()
    return (row.id, row.private_key_pem) if row else None


async def key_set(session: AsyncSession) -> list[dict[str, Any]]:
    rows = await session.execute(
        sa.select(signing_key.c.public_jwk).where(signing_key.c.retired_at.is_(None)).order_by(signing_key.c.created_at)
    )
    return [row.public_jwk for row in rows]


class TokenSigner:
    """Signs with the newest key, loaded once (in its own transaction) and kept for a few minutes."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._current: tuple[str, Ed25519PrivateKey] | None = None
        self._loaded_at = 0.0
        self._lock = asyncio.Lock()

    async def ensure(self) -> tuple[str, Ed25519PrivateKey]:
        async with self._lock:
            if self._current is None or time.monotonic() - self._loaded_at > _CACHE_SECONDS:
                async with self._engine.begin() as conn:
                    kid, pem = await ensure_key(conn)
                key = serialization.load_pem_private_key(pem.encode(), password=None)
                assert isinstance(key, Ed25519PrivateKey)
                self._current, self._loaded_at = (kid, key), time.monotonic()
            return self._current

    async def sign(self, claims: dict[str, Any]) -> str:
        kid, key = await self.ensure()
        return jwt.encode(claims, key, algorithm=TOKEN_ALGORITHM, headers={"kid": kid})
