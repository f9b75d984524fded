"""Who is calling: an API key (verified against the local key mirror, or identity for a key the mirror
has not received yet), a user's access token (verified with identity's public keys, and refused when
the revocation mirror says its session, grants or tenant are gone), or nobody (public operations only)."""

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Literal

import jwt
from pydantic import ValidationError

from plenary_contracts.access import Grant, decode_grants, encode_grants
from plenary_contracts.catalog.identity import ApiKeyCredential
from plenary_contracts.credentials import (
    TOKEN_ALGORITHM,
    TOKEN_AUDIENCE,
    TOKEN_ISSUER,
    TOKEN_LEEWAY_SECONDS,
    AccessClaims,
    api_key_credential,
    api_key_matches,
    parse_api_key,
    session_credential,
)
from plenary_contracts.errors import BadRequest, Forbidden, NotFound, ServiceUnavailable, Unauthorized
from plenary_contracts.flags import FlagContext, FlagKey
from plenary_kit.flags import FlagClient

from ..adapters.jwks import JwksCache
from ..adapters.key_mirror import ApiKeyMirror
from ..adapters.remembered import RememberedLookup
from ..adapters.revocation_mirror import RevocationMirror
from ..domain.addresses import ip_allowed
from ..domain.verified_tokens import VerifiedTokens

CHALLENGE = 'Bearer realm="plenary", ApiKey realm="plenary"'
INVALID_TOKEN_CHALLENGE = 'Bearer realm="plenary", error="invalid_token"'
BEARER_CHALLENGE = 'Bearer realm="plenary"'
INVALID_KEY = "invalid API key"
READY_WAIT_SECONDS = 5.0
VERIFIED_TOKENS_KEPT = 10_000


@dataclass(frozen=True)
class Caller:
    kind: Literal["anonymous", "api_key", "user"]
    tenant_id: str | None = None
    actor_id: str | None = None
    roles: tuple[str, ...] = ()
    grants: tuple[Grant, ...] = ()
    credential: str | None = None  # "session:<id>" or "api_key:<id>"
    key: ApiKeyCredential | None = field(default=None, repr=False)

    @property
    def global_admin(self) -> bool:
        return self.kind == "user" and self.tenant_id is None

    @cached_property
    def encoded_grants(self) -> str:
        """``grants`` as they travel; worked out once per caller (a verified token's caller is kept)."""
        return encode_grants(self.grants)


ANONYMOUS = Caller("anonymous")


class Unauthenticated(Unauthorized):
    def __init__(self, message: str, challenge: str = CHALLENGE) -> None:
        super().__init__(message)
        self.challenge = challenge


async def ready(event: asyncio.Event, what: str) -> None:
    """Wait briefly for a local copy that is still loading at start-up; then it is a 503."""
    if event.is_set():
        return
    try:
        await asyncio.wait_for(event.wait(), READY_WAIT_SECONDS)
    except TimeoutError as error:
        raise ServiceUnavailable(f"the gateway has not loaded {what} yet") from error


class Authenticator:
    def __init__(
        self,
        *,
        secret: str,
        keys: ApiKeyMirror,
        new_keys: RememberedLookup[ApiKeyCredential],
        jwks: JwksCache,
        revocations: RevocationMirror,
        flags: FlagClient,
        verified_tokens_kept: int = VERIFIED_TOKENS_KEPT,
    ) -> None:
        self._secret = secret
        self._keys = keys
        self._new_keys = new_keys
        self._jwks = jwks
        self._revocations = revocations
        self._flags = flags
        self._verified: VerifiedTokens[tuple[AccessClaims, Caller]] = VerifiedTokens(verified_tokens_kept)

    async def caller(
        self, *, api_key: str | None, authorization: str | None, public: bool, client_ip: str | None,
        origin: str | None, now: datetime,
    ) -> Caller:  # fmt: skip
        if api_key is not None and authorization is not None:
            raise BadRequest("send either X-API-Key or Authorization, not both")
        if api_key is not None:
            return await self._by_api_key(api_key, client_ip, origin, now)
        if authorization is not None:
            return await self._by_token(authorization, now)
        if public:
            return ANONYMOUS
        raise Unauthenticated("authentication required: send X-API-Key or Authorization: Bearer <access token>")

    async def _by_api_key(self, raw: str, client_ip: str | None, origin: str | None, now: datetime) -> Caller:
        parsed = parse_api_key(raw)
        if parsed is None:
            raise Unauthenticated(INVALID_KEY)
        await ready(self._keys.loaded, "the API keys")
        key = self._keys.get(parsed.lookup_id)
        if key is None:  # perhaps made a moment ago, before the mirror heard of it
            key = await self._new_keys(parsed.lookup_id)
        if key is None or not api_key_matches(self._secret, raw, key.key_hash) or not key.usable_at(now):
            raise Unauthenticated(INVALID_KEY)
        await ready(self._flags.loaded, "the feature flags")
        if not self._flags.is_enabled(FlagKey.REST_API, FlagContext(tenant_id=key.tenant_id, user_id=key.created_by)):
            raise NotFound("not found")
        if key.allowed_ips and not ip_allowed(client_ip, key.allowed_ips):
            raise Forbidden("this API key may not be used from this address")
        if origin is not None and key.allowed_origins and origin not in key.allowed_origins:
            raise Forbidden("this API key may not be used from this origin")
        return Caller(
            "api_key", tenant_id=key.tenant_id, actor_id=key.created_by, credential=api_key_credential(key.id), key=key
        )

    async def _by_token(self, authorization: str, now: datetime) -> Caller:
        scheme, _, token = authorization.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise Unauthenticated("send Authorization: Bearer <access token>")
        verified = self._verified.get(token, now.timestamp())
        if verified is None:
            verified = await self._verify(token)
            self._verified.put(token, verified, verified[0].exp + TOKEN_LEEWAY_SECONDS)
        claims, caller = verified
        await ready(self._revocations.loaded, "the token revocations")
        if self._revocations.refuses(claims):
            raise Unauthenticated("the access token was revoked: refresh it or sign in again", INVALID_TOKEN_CHALLENGE)
        return caller

    async def _verify(self, token: str) -> tuple[AccessClaims, Caller]:
        """The token's claims and the caller they make, once its signature and claims hold."""
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError as error:
            raise Unauthenticated("invalid access token", INVALID_TOKEN_CHALLENGE) from error
        key = await self._jwks.key_for(kid)
        if key is None:
            raise Unauthenticated("invalid access token", INVALID_TOKEN_CHALLENGE)
        try:
            payload = jwt.decode(
                token,
                key,
                algorithms=[TOKEN_ALGORITHM],
                audience=TOKEN_AUDIENCE,
                issuer=TOKEN_ISSUER,
                leeway=TOKEN_LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
            claims = AccessClaims.model_validate(payload)
            grants = decode_grants(",".join(claims.grants))
        except (jwt.PyJWTError, ValidationError, ValueError) as error:
            raise Unauthenticated("invalid or expired access token", INVALID_TOKEN_CHALLENGE) from error
        caller = Caller(
            "user",
            tenant_id=claims.tid,
            actor_id=claims.sub,
            roles=tuple(claims.roles),
            grants=grants,
            credential=session_credential(claims.sid),
        )
        return claims, caller
