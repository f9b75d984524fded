"""Signing a delivery: the Standard Webhooks scheme, and the original platform's headers for ``legacy``.

Standard Webhooks: ``webhook-id`` (the event id), ``webhook-timestamp`` (Unix seconds of the attempt) and
``webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`` keyed by the secret's bytes (the
base64 after ``whsec_``). While a rotated secret still overlaps, the header carries both signatures, space
separated, and a receiver accepts either. ``legacy`` subscriptions also get ``X-Webhook-Signature:
sha256=<hex HMAC-SHA256 of the body>`` keyed by the secret's text (as the original did with its own secrets),
``X-Webhook-Event`` and ``X-Webhook-Delivery``.
"""

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

PREFIX = "whsec_"
SECRET_BYTES = 32


def new_secret(random: bytes) -> str:
    return PREFIX + base64.b64encode(random).decode("ascii")


def secret_key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(PREFIX))


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def legacy_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def body(version: str, event_id: str, event_type: str, occurred_at: datetime, data: Mapping[str, Any]) -> bytes:
    """The exact bytes sent (and signed): compact JSON."""
    stamp = occurred_at.isoformat().replace("+00:00", "Z")
    if version == "legacy":
        shape: dict[str, Any] = {"id": event_id, "event": event_type, "timestamp": stamp, "version": version}
    else:
        shape = {"id": event_id, "type": event_type, "timestamp": stamp}
    shape["data"] = data
    return json.dumps(shape, separators=(",", ":"), ensure_ascii=False).encode()


def headers(
    *,
    secrets: Sequence[str],
    version: str,
    event_id: str,
    event_type: str,
    delivery_id: str,
    timestamp: int,
    payload: bytes,
    custom: Mapping[str, str] | None = None,
) -> list[tuple[str, str]]:
    """Every header of an attempt; custom headers are merged last and may override any but the signatures."""
    signed = {
        "webhook-id": event_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signature(s, event_id, timestamp, payload) for s in secrets),
    }
    base = {"content-type": "application/json", "user-agent": "Plenary-Webhooks/1", "idempotency-key": event_id}
    if version == "legacy":
        base |= {"x-webhook-event": event_type, "x-webhook-delivery": delivery_id}
        signed["x-webhook-signature"] = legacy_signature(secrets[0], payload)
    merged = base | {name.lower(): value for name, value in (custom or {}).items()} | signed
    return list(merged.items())
