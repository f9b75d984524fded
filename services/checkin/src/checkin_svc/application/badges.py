"""A participant's badge: issued on first request, reproduced after, reissued to revoke, drawn as a QR code.

The read model row keeps what makes the current badge reproducible: its issue time (whole seconds, as the
payload carries it), its key id and its generation. Ed25519 signatures are deterministic, so signing the
same badge with the same key gives the same payload: a badge printed yesterday and the one fetched today
are one badge. When its key was retired, the next request issues it anew with the signing key (same
generation, so nothing else of the participant's is revoked).

Fetching a badge is therefore a command: its first fetch writes (the issue, and the tenant's first key).
"""

import io
from collections.abc import Callable
from datetime import datetime

import segno
from nats.js import JetStreamContext

from plenary_contracts.catalog import checkin as contract
from plenary_contracts.errors import NotFound
from plenary_contracts.files import StoredFile
from plenary_kit.acting import tenant, utcnow
from plenary_kit.db import UnitOfWork
from plenary_kit.files import put_file

from ..adapters import badge_key_repository as keys
from ..adapters.badge_key_repository import BadgeHolder, StoredKey
from ..domain import badges
from .badge_keys import BadgeKeys

QR_ERROR = "m"
QR_BORDER = 2
CONTENT_TYPES = {"png": "image/png", "svg": "image/svg+xml"}


class Badges:
    def __init__(self, badge_keys: BadgeKeys, jetstream: Callable[[], JetStreamContext]) -> None:
        self.keys = badge_keys
        self.jetstream = jetstream

    async def get(self, request: contract.BadgeRef, uow: UnitOfWork) -> contract.Badge:
        return await self.current(uow, tenant(), request.participant_id)

    async def current(self, uow: UnitOfWork, tenant_id: str, participant_id: str) -> contract.Badge:
        """The participant's badge as issued, or issued now (first request, or its key retired since)."""
        holder = await _holder(uow, tenant_id, participant_id)
        if holder.issued_at is not None and holder.key_id is not None:
            key = await keys.get_key(uow.session, tenant_id, holder.key_id)
            if key is not None and key.retired_at is None:
                return self._signed(holder, holder.issued_at, key)
        key = await self.keys.signing_key(uow, tenant_id)
        issued = await keys.record_issue(uow.session, holder, issued_at=_now(), key_id=key.key_id)
        if issued is None:  # issued by someone else since it was read: theirs is the badge
            issued = await _holder(uow, tenant_id, participant_id)
            if issued.key_id != key.key_id:
                key = await _key(uow, tenant_id, issued.key_id)
        assert issued.issued_at is not None
        return self._signed(issued, issued.issued_at, key)

    async def reissue(self, request: contract.BadgeRef, uow: UnitOfWork) -> contract.Badge:
        """A new generation for the participant: every badge of theirs issued before scans REVOKED."""
        tenant_id = tenant()
        await _holder(uow, tenant_id, request.participant_id)
        key = await self.keys.signing_key(uow, tenant_id)
        now = _now()
        holder = await keys.record_reissue(
            uow.session, tenant_id, request.participant_id, issued_at=now, key_id=key.key_id
        )
        assert holder is not None
        uow.publish(
            contract.BADGE_REISSUED,
            contract.BadgeReissued(participant_id=holder.id, event_id=holder.event_id, generation=holder.generation),
        )
        return self._signed(holder, now, key)

    async def image(self, request: contract.BadgeImage, uow: UnitOfWork) -> StoredFile:
        """The badge's QR code (error correction M, a 2-module border) in the files bucket, as a download."""
        tenant_id = tenant()
        badge = await self.current(uow, tenant_id, request.participant_id)
        qr = segno.make(badge.payload, error=QR_ERROR, boost_error=False)
        out = io.BytesIO()
        qr.save(out, kind=request.format, scale=request.scale, border=QR_BORDER)
        name = f"badge-{request.participant_id}-{badge.generation}.{request.format}"
        return await put_file(
            self.jetstream(), tenant_id, "badges", name, CONTENT_TYPES[request.format], out.getvalue()
        )

    def _signed(self, holder: BadgeHolder, issued_at: datetime, key: StoredKey) -> contract.Badge:
        badge = badges.Badge(
            tenant_id=holder.tenant_id,
            event_id=holder.event_id,
            participant_id=holder.id,
            issued_at=int(issued_at.timestamp()),
            generation=holder.generation,
        )
        payload = badges.issue(badge, bytes.fromhex(key.key_id), self.keys.private_key(key))
        return contract.Badge(
            participant_id=holder.id,
            event_id=holder.event_id,
            payload=payload,
            key_id=key.key_id,
            generation=holder.generation,
            issued_at=issued_at,
        )


def _now() -> datetime:
    return utcnow().replace(microsecond=0)  # a badge carries whole seconds


async def _holder(uow: UnitOfWork, tenant_id: str, participant_id: str) -> BadgeHolder:
    found = await keys.holder(uow.session, tenant_id, participant_id)
    if found is None:
        raise NotFound(f"participant {participant_id} not found")
    return found


async def _key(uow: UnitOfWork, tenant_id: str, key_id: str | None) -> StoredKey:
    found = None if key_id is None else await keys.get_key(uow.session, tenant_id, key_id)
    assert found is not None, "a participant's badge names a key of their tenant"
    return found
