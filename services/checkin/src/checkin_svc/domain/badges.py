"""The badge a participant shows at the gate: a QR payload a scanner can verify offline.

A badge is signed, not encrypted: it names who it admits, and what matters is that nobody can forge or
alter one. Each tenant signs with its own Ed25519 key, so a leaked key exposes one tenant only, and the
payload carries the key's id, so keys rotate with overlap: a new key signs, the old ones keep verifying
until they are retired. Devices hold the tenant's public keys and verify without the network. Signatures
go through libsodium (PyNaCl), whose verification measured about twice as fast as OpenSSL's here.

Layout (version 1), then RFC 9285 base45, which QR codes store in their dense alphanumeric mode:

    1 byte    format version (1)
    4 bytes   key id
    4 bytes   issued at, Unix seconds, big-endian
    2 bytes   badge generation, big-endian: a reissue increments it, and older badges are then refused
              (revocation without rotating the key)
    3 times   tenant id, event id, participant id: each a length byte, then its ASCII
    64 bytes  Ed25519 signature of every byte before it

With the platform's 24 to 25 character ids a badge is about 150 bytes, 230 characters: a version 9 QR at
error correction M.
"""

import struct
from dataclasses import dataclass
from enum import StrEnum

import base45
from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

VERSION = 1
KEY_ID_BYTES = 4
SIGNATURE_BYTES = 64
_HEAD = struct.Struct(">B4sIH")  # version, key id, issued at, generation
_MAX_ID = 255


KeyRing = dict[tuple[str, bytes], VerifyKey]
"""Public keys by (tenant id, key id): what a device holds to verify offline."""


class Unreadable(StrEnum):
    """Why a payload is not a badge of ours; the scan answers INVALID with it."""

    NOT_BASE45 = "not_base45"
    TRUNCATED = "truncated"
    UNKNOWN_VERSION = "unknown_version"
    UNKNOWN_KEY = "unknown_key"
    BAD_SIGNATURE = "bad_signature"


class BadgeUnreadable(Exception):
    def __init__(self, reason: Unreadable) -> None:
        super().__init__(reason.value)
        self.reason = reason


@dataclass(frozen=True)
class Badge:
    tenant_id: str
    event_id: str
    participant_id: str
    issued_at: int  # Unix seconds
    generation: int = 0


@dataclass(frozen=True)
class SignedBadge:
    """A badge read from its payload, signature not yet checked: the key id and tenant say which key to check
    it with."""

    badge: Badge
    key_id: bytes
    signed: bytes
    signature: bytes

    def verified_by(self, key: VerifyKey) -> Badge:
        try:
            key.verify(self.signed, self.signature)
        except BadSignatureError:
            raise BadgeUnreadable(Unreadable.BAD_SIGNATURE) from None
        return self.badge


def issue(badge: Badge, key_id: bytes, key: SigningKey) -> str:
    """The badge's QR payload, signed with the tenant's current key."""
    if len(key_id) != KEY_ID_BYTES:
        raise ValueError(f"a key id is {KEY_ID_BYTES} bytes")
    body = _HEAD.pack(VERSION, key_id, badge.issued_at, badge.generation)
    for value in (badge.tenant_id, badge.event_id, badge.participant_id):
        raw = value.encode("ascii")
        if not 0 < len(raw) <= _MAX_ID:
            raise ValueError(f"an id on a badge is 1 to {_MAX_ID} ASCII characters")
        body += bytes((len(raw),)) + raw
    return base45.b45encode(body + key.sign(body).signature).decode("ascii")


def read(payload: str) -> SignedBadge:
    """The badge in ``payload`` with what its signature covers; ``BadgeUnreadable`` when it is no badge."""
    try:
        raw = base45.b45decode(payload.strip("\r\n\t"))  # not spaces: base45 uses them
    except (ValueError, UnicodeError, TypeError):
        raise BadgeUnreadable(Unreadable.NOT_BASE45) from None
    if len(raw) < _HEAD.size + 3 + SIGNATURE_BYTES:
        raise BadgeUnreadable(Unreadable.TRUNCATED)
    version, key_id, issued_at, generation = _HEAD.unpack_from(raw)
    if version != VERSION:
        raise BadgeUnreadable(Unreadable.UNKNOWN_VERSION)
    ids: list[str] = []
    at = _HEAD.size
    end = len(raw) - SIGNATURE_BYTES
    for _ in range(3):
        size = raw[at] if at < end else 0
        if size == 0 or at + 1 + size > end:
            raise BadgeUnreadable(Unreadable.TRUNCATED)
        try:
            ids.append(raw[at + 1 : at + 1 + size].decode("ascii"))
        except UnicodeDecodeError:
            raise BadgeUnreadable(Unreadable.TRUNCATED) from None
        at += 1 + size
    if at != end:
        raise BadgeUnreadable(Unreadable.TRUNCATED)
    badge = Badge(tenant_id=ids[0], event_id=ids[1], participant_id=ids[2], issued_at=issued_at, generation=generation)
    return SignedBadge(badge=badge, key_id=key_id, signed=raw[:end], signature=raw[end:])


def verify(payload: str, public_keys: KeyRing) -> Badge:
    """The badge in ``payload`` once its signature checks out with its tenant's key of that id."""
    signed = read(payload)
    key = public_keys.get((signed.badge.tenant_id, signed.key_id))
    if key is None:
        raise BadgeUnreadable(Unreadable.UNKNOWN_KEY)
    return signed.verified_by(key)
