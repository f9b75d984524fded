"""The authenticator verifies a bearer token's signature once and still asks about revocation every time."""

import asyncio
import time
from datetime import UTC, datetime

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from gateway_svc.application.callers import Authenticator, Unauthenticated

from plenary_contracts.credentials import (
    TOKEN_ALGORITHM,
    TOKEN_AUDIENCE,
    TOKEN_ISSUER,
    TOKEN_LEEWAY_SECONDS,
    AccessClaims,
)

SIGNING_KEY = Ed25519PrivateKey.generate()


class CountingKeys:
    """The key set: counts how often a token's signature needed its key."""

    def __init__(self) -> None:
        self.asked = 0

    async def key_for(self, kid: str | None) -> object:
        self.asked += 1
        return SIGNING_KEY.public_key()


class Revocations:
    def __init__(self) -> None:
        self.loaded = asyncio.Event()
        self.loaded.set()
        self.ended_sessions: set[str] = set()

    def refuses(self, claims: AccessClaims) -> bool:
        return claims.sid in self.ended_sessions


def token(lifetime: int = 900, key: Ed25519PrivateKey = SIGNING_KEY) -> tuple[str, int]:
    issued = int(time.time())
    claims = {
        "iss": TOKEN_ISSUER,
        "aud": TOKEN_AUDIENCE,
        "sub": "u1",
        "tid": "t1",
        "sid": "s1",
        "roles": ["TENANT_ADMIN"],
        "iat": issued,
        "exp": issued + lifetime,
        "jti": "j1",
    }
    return jwt.encode(claims, key, algorithm=TOKEN_ALGORITHM, headers={"kid": "k1"}), issued + lifetime


def authenticator(keys: CountingKeys, revocations: Revocations) -> Authenticator:
    unused = None  # the token path needs neither API keys nor flags
    return Authenticator(
        secret="secret", keys=unused, new_keys=unused, jwks=keys, revocations=revocations, flags=unused
    )  # type: ignore[arg-type]


async def by_token(auth: Authenticator, raw: str, at: float | None = None) -> object:
    now = datetime.fromtimestamp(time.time() if at is None else at, UTC)
    return await auth.caller(
        api_key=None, authorization=f"Bearer {raw}", public=False, client_ip=None, origin=None, now=now
    )


async def test_a_token_signature_is_checked_once_for_all_its_requests():
    keys, revocations = CountingKeys(), Revocations()
    auth = authenticator(keys, revocations)
    raw, _ = token()
    callers = [await by_token(auth, raw) for _ in range(5)]
    assert keys.asked == 1
    assert all(caller == callers[0] for caller in callers)
    assert callers[0].actor_id == "u1" and callers[0].credential == "session:s1"


async def test_a_remembered_token_is_refused_as_soon_as_its_session_is_revoked():
    keys, revocations = CountingKeys(), Revocations()
    auth = authenticator(keys, revocations)
    raw, _ = token()
    await by_token(auth, raw)
    revocations.ended_sessions.add("s1")
    with pytest.raises(Unauthenticated, match="revoked"):
        await by_token(auth, raw)


async def test_a_remembered_token_is_verified_again_once_past_its_expiry():
    keys, revocations = CountingKeys(), Revocations()
    auth = authenticator(keys, revocations)
    raw, expires_at = token()
    await by_token(auth, raw)
    await by_token(auth, raw, at=expires_at + TOKEN_LEEWAY_SECONDS - 1)
    assert keys.asked == 1
    await by_token(auth, raw, at=expires_at + TOKEN_LEEWAY_SECONDS)
    assert keys.asked == 2


async def test_a_token_that_fails_verification_is_not_remembered():
    keys, revocations = CountingKeys(), Revocations()
    auth = authenticator(keys, revocations)
    forged, _ = token(key=Ed25519PrivateKey.generate())
    for _ in range(2):
        with pytest.raises(Unauthenticated, match="invalid"):
            await by_token(auth, forged)
    assert keys.asked == 2
