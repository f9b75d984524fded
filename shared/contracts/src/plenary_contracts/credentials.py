"""The two credentials the gateway verifies without asking identity: API keys and access tokens.

API key: ``ak_<first 4 of tenant id>_<lookup id>_<64 hex secret>``. The lookup id finds the one
row (O(1), instead of hashing against every key that shares a prefix), and the whole key is
checked against an HMAC-SHA256 under a server secret with a constant-time comparison.

Access token: a JWT signed by identity with Ed25519 (``EdDSA``); the gateway verifies it with the
public keys of ``GET /auth/jwks`` (``qry.identity.get_key_set``), fetched once and on an unknown ``kid``.
A token stops working before it expires when the revocation bucket names its session, its user (for
tokens of an older generation) or its tenant: see ``TokenRevocation``.
"""

import hashlib
import hmac
import re
import secrets
from typing import Literal, NamedTuple

from pydantic import Field

from .model import Model

API_KEY_HEADER = "X-API-Key"
API_KEY_PREFIX = "ak_"
_LOOKUP_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
_API_KEY = re.compile(r"^ak_([A-Za-z0-9]{1,4})_([a-z0-9]{16})_([0-9a-f]{64})$")

TOKEN_ISSUER = "plenary-identity"
TOKEN_AUDIENCE = "plenary"
TOKEN_ALGORITHM = "EdDSA"
TOKEN_LEEWAY_SECONDS = 30  # the clock skew a verifier allows on ``exp`` and ``iat``


def api_key_credential(key_id: str) -> str:
    """How a request authenticated by an API key names its credential (``Plenary-Credential``)."""
    return f"api_key:{key_id}"


def session_credential(session_id: str) -> str:
    """How a request authenticated by an access token names its credential: the token's session."""
    return f"session:{session_id}"


def api_key_of(credential: str | None) -> str | None:
    """The API key id a credential names; None for a session or no credential."""
    kind, _, key_id = (credential or "").partition(":")
    return key_id if kind == "api_key" and key_id else None


class ParsedApiKey(NamedTuple):
    tenant_hint: str
    lookup_id: str
    display_prefix: str  # what lists show: "ak_<tenant4>_<lookup id>"


def new_api_key(tenant_id: str) -> tuple[str, ParsedApiKey]:
    """A fresh raw key and its parts; the raw key is shown once and never stored."""
    lookup_id = "".join(secrets.choice(_LOOKUP_ALPHABET) for _ in range(16))
    raw = f"{API_KEY_PREFIX}{tenant_id[:4]}_{lookup_id}_{secrets.token_hex(32)}"
    parsed = parse_api_key(raw)
    assert parsed is not None
    return raw, parsed


def parse_api_key(raw: str) -> ParsedApiKey | None:
    match = _API_KEY.match(raw)
    if match is None:
        return None
    tenant_hint, lookup_id, _ = match.groups()
    return ParsedApiKey(tenant_hint, lookup_id, f"{API_KEY_PREFIX}{tenant_hint}_{lookup_id}")


def api_key_hash(secret: str, raw: str) -> str:
    return hmac.new(secret.encode(), raw.encode(), hashlib.sha256).hexdigest()


def api_key_matches(secret: str, raw: str, stored_hash: str) -> bool:
    return hmac.compare_digest(api_key_hash(secret, raw), stored_hash)


class AccessClaims(Model):
    """The claims of an access token. ``grants`` are ``access.Grant`` encodings."""

    iss: str = TOKEN_ISSUER
    aud: str = TOKEN_AUDIENCE
    sub: str = Field(description="The user id.")
    tid: str | None = Field(None, description="The user's tenant; none for a global admin.")
    sid: str = Field(description="The session id (refresh token family).")
    roles: list[str] = Field(default_factory=list)
    grants: list[str] = Field(default_factory=list)
    iat: int
    exp: int
    jti: str
    gen: int = Field(
        0, description="The user's token generation when issued; revoking a user's tokens starts a new one."
    )


RevocationScope = Literal["session", "user", "tenant"]


class TokenRevocation(Model):
    """Access tokens the gateways refuse before they expire, kept in the revocation bucket under
    ``<scope>.<id>`` (``revocation_key``): every token of an ended session or of a deleted tenant, and a
    user's tokens of a generation before ``generation`` (its grants or its standing changed).

    A generation, not a time: ``iat`` has whole seconds, and a token issued in the same second as the
    revocation, before or after it, must be refused or accepted exactly."""

    generation: int | None = Field(None, description="Tokens of an earlier `gen` are refused; none: every token.")

    def refuses(self, claims: AccessClaims) -> bool:
        return self.generation is None or claims.gen < self.generation


def revocation_key(scope: RevocationScope, id_: str) -> str:
    return f"{scope}.{id_}"


def revocation_keys(claims: AccessClaims) -> list[str]:
    """Where the revocations that could refuse this token are kept."""
    keys = [revocation_key("session", claims.sid), revocation_key("user", claims.sub)]
    if claims.tid is not None:
        keys.append(revocation_key("tenant", claims.tid))
    return keys
