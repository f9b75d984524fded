"""Refresh tokens: ``<session id>.<secret>``, kept as the secret's SHA-256, replaced on every use.

A secret that is not the session's current one can only be an older one (or a forgery naming the
session): either way the token family has leaked, so the whole session ends.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class RefreshVerdict(StrEnum):
    ROTATE = "rotate"  # the current secret: issue a new pair
    REUSED = "reused"  # an old secret: end the session
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True)
class RefreshToken:
    session_id: str
    secret: str

    def __str__(self) -> str:
        return f"{self.session_id}.{self.secret}"

    @property
    def secret_hash(self) -> str:
        return hash_secret(self.secret)

    @classmethod
    def new(cls, session_id: str) -> "RefreshToken":
        return cls(session_id, secrets.token_urlsafe(32))

    @classmethod
    def parse(cls, text: str) -> "RefreshToken | None":
        session_id, dot, secret = text.partition(".")
        if not dot or not session_id or not secret or "." in secret:
            return None
        return cls(session_id, secret)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def judge_refresh(
    *, stored_hash: str, presented_hash: str, expires_at: datetime, revoked_at: datetime | None, now: datetime
) -> RefreshVerdict:
    if revoked_at is not None:
        return RefreshVerdict.REVOKED
    if expires_at <= now:
        return RefreshVerdict.EXPIRED
    if not hmac.compare_digest(stored_hash, presented_hash):
        return RefreshVerdict.REUSED
    return RefreshVerdict.ROTATE
