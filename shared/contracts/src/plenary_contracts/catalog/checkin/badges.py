"""checkin: participants' signed QR badges and the tenant's badge signing keys.

A badge is verifiable offline: devices fetch the tenant's public keys (``list_badge_keys``) and check a
badge's Ed25519 signature themselves. Rotating starts a new signing key while the older ones keep verifying
until retired; reissuing one participant's badge revokes their older badges without touching the keys.
"""

from datetime import datetime
from typing import Literal

from pydantic import Field

from ...fields import Id
from ...files import StoredFile
from ...model import Model
from ._common import _MANAGING, _NOT_FOUND, _SCANNING, _STATE_ERRORS, _cmd, _event, _qry, _route


class BadgeKey(Model):
    key_id: str = Field(description="The 4-byte key id a badge carries, in hex.")
    tenant_id: str
    algorithm: Literal["Ed25519"] = "Ed25519"
    public_key: str = Field(description="The raw 32-byte public key, base64url without padding.")
    signing: bool = Field(description="True for the one key that signs new badges.")
    created_at: datetime
    retired_at: datetime | None = None


class BadgeKeys(Model):
    keys: list[BadgeKey] = Field(description="Every key that still verifies, the signing one first.")


class NoRequest(Model):
    pass


class BadgeKeyRef(Model):
    key_id: str = Field(pattern=r"^[0-9a-f]{8}$")


class Badge(Model):
    participant_id: str
    event_id: str
    payload: str = Field(description="The QR payload: base45 text, for a QR code's alphanumeric mode.")
    key_id: str
    generation: int = Field(description="Raised by each reissue; badges of an older generation are REVOKED.")
    issued_at: datetime


class BadgeRef(Model):
    participant_id: Id


class BadgeImage(Model):
    participant_id: Id
    format: Literal["png", "svg"] = "png"
    scale: int = Field(6, ge=1, le=40, description="Pixels per module.")


class BadgeReissued(Model):
    participant_id: str
    event_id: str
    generation: int


class BadgeKeyChanged(Model):
    key: BadgeKey


# --- domain events -------------------------------------------------------------------------------

BADGE_REISSUED = _event("badge", "reissued", BadgeReissued, "A participant's badge was reissued; older ones are void.")
BADGE_KEY_ROTATED = _event("badge_key", "rotated", BadgeKeyChanged, "A new badge signing key took over.")
BADGE_KEY_RETIRED = _event("badge_key", "retired", BadgeKeyChanged, "A badge key stopped verifying.")

# --- operations ----------------------------------------------------------------------------------

LIST_BADGE_KEYS = _qry(
    "list_badge_keys", NoRequest, BadgeKeys, "The tenant's public badge keys, for devices that verify offline.",
    **_SCANNING, http=_route("GET", "/checkin/badge-keys", "Public badge keys", "check-in"),
)  # fmt: skip
ROTATE_BADGE_KEY = _cmd(
    "rotate_badge_key", NoRequest, BadgeKey, "Start signing with a new key; the older keys keep verifying.",
    **_MANAGING, http=_route("POST", "/checkin/badge-keys/rotate", "Rotate the badge key", "check-in", 201),
)  # fmt: skip
RETIRE_BADGE_KEY = _cmd(
    "retire_badge_key", BadgeKeyRef, BadgeKey,
    "Stop a key verifying (badges it signed become INVALID until reissued); the signing key cannot be retired.",
    errors=_STATE_ERRORS, **_MANAGING,
    http=_route("DELETE", "/checkin/badge-keys/{keyId}", "Retire a badge key", "check-in"),
)  # fmt: skip
# Reading a badge is a command: the first read issues it (stores when and with which key), so later reads
# reproduce the same payload
GET_BADGE = _cmd(
    "get_badge", BadgeRef, Badge, "A participant's current badge (issued on first request).",
    errors=_NOT_FOUND, **_MANAGING,
    http=_route("GET", "/participants/{participantId}/badge", "Get a badge", "check-in"),
)  # fmt: skip
REISSUE_BADGE = _cmd(
    "reissue_badge", BadgeRef, Badge, "A new badge for a participant; every older one of theirs is REVOKED at scan.",
    errors=_NOT_FOUND, **_MANAGING,
    http=_route("POST", "/participants/{participantId}/badge/reissue", "Reissue a badge", "check-in"),
)  # fmt: skip
GET_BADGE_IMAGE = _cmd(
    "get_badge_image", BadgeImage, StoredFile, "The badge's QR code as PNG or SVG (error correction M).",
    errors=_NOT_FOUND, **_MANAGING,
    http=_route("GET", "/participants/{participantId}/badge/qr", "Badge QR image", "check-in", download=True),
)  # fmt: skip
