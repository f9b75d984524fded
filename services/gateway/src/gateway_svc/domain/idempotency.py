"""Idempotency-Key rules: which record a key gets, and what a repeated request finds there.

One record per credential and key: first an in-flight marker, then the completed response. A repeat
with another request (method, path, body) is refused; one that comes while the first is still running
gets a conflict; a marker older than the operation's timeout plus a margin was abandoned and is taken
over. Responses that say "try again" (409, 429, 5xx) are not kept, so the retry really runs.
"""

import hashlib
import json
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

MAX_KEY_LENGTH = 255
ABANDONED_AFTER_MARGIN_SECONDS = 30.0
REPLAYED_HEADERS = ("ETag", "Location", "Content-Location")


def scoped_key(credential: str, key: str) -> str:
    """The stored record's name: the credential and the key, hashed so any key text is safe to store."""
    return hashlib.sha256(f"{credential}\n{key}".encode()).hexdigest()


def canonical_body(body: bytes) -> bytes:
    """JSON bodies compare by content (key order and spacing do not matter); anything else byte for byte."""
    if not body.strip():
        return b""
    try:
        return json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        return body


def fingerprint(method: str, target: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.upper().encode(), target.encode(), canonical_body(body)):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def kept_body(body: str | None, shown_once: tuple[str, ...], marker: str) -> str | None:
    """A response body as kept for a retry with the same key: each field of ``data`` the operation shows once (a
    new key's or secret's raw value) holds ``marker`` instead, so no retry can show the secret again."""
    if not body or not shown_once:
        return body
    try:
        document = json.loads(body)
    except ValueError:
        return body
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, dict) or not any(name in data for name in shown_once):
        return body
    document["data"] = {name: marker if name in shown_once else value for name, value in data.items()}
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


def storable(status: int) -> bool:
    return not (status in (409, 429) or status >= 500)


@dataclass(frozen=True)
class Record:
    fingerprint: str
    started_at: float
    status: int | None = None  # None while in flight
    body: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def completed(self) -> bool:
        return self.status is not None

    def completed_with(self, status: int, body: str | None, headers: dict[str, str]) -> "Record":
        kept = {name: value for name, value in headers.items() if name in REPLAYED_HEADERS}
        return Record(self.fingerprint, self.started_at, status, body, kept)

    def to_bytes(self) -> bytes:
        data: dict[str, Any] = {"v": 1, "fingerprint": self.fingerprint, "startedAt": self.started_at}
        if self.completed:
            data |= {"status": self.status, "body": self.body, "headers": self.headers}
        return json.dumps(data, separators=(",", ":")).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> "Record | None":
        try:
            raw = json.loads(data)
            return cls(
                fingerprint=str(raw["fingerprint"]),
                started_at=float(raw["startedAt"]),
                status=int(raw["status"]) if raw.get("status") is not None else None,
                body=raw.get("body"),
                headers={str(k): str(v) for k, v in (raw.get("headers") or {}).items()},
            )
        except (ValueError, KeyError, TypeError):
            return None


class Decision(Enum):
    REPLAY = "replay"
    IN_FLIGHT = "in_flight"
    REUSED = "reused"  # the key came with a different request
    TAKE_OVER = "take_over"  # the first attempt was abandoned


def decide(existing: Record | None, fingerprint: str, now: float, timeout_seconds: float) -> Decision:
    """What a request finds under its key when a record is already there (None: unreadable)."""
    if existing is None:
        return Decision.TAKE_OVER
    if existing.fingerprint != fingerprint:
        return Decision.REUSED
    if existing.completed:
        return Decision.REPLAY
    if now - existing.started_at > timeout_seconds + ABANDONED_AFTER_MARGIN_SECONDS:
        return Decision.TAKE_OVER
    return Decision.IN_FLIGHT
