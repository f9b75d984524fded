"""Each tenant's Ed25519 badge keys: created on first need, rotated with overlap, retired, served to devices.

Private keys are stored sealed (``plenary_kit.sealing``) under a key derived from the ``badge_key_secret``
setting and the purpose ``checkin.badges``, so a copy of the database alone signs nothing. A key id is
4 random bytes: it only has to tell one tenant's keys apart, and a badge carries it in 4 bytes.

Rotation starts a new signing key and leaves the older ones verifying, so badges already printed keep
working until their key is retired; retiring stops a key verifying at once (its badges scan INVALID until
reissued). The signing key cannot be retired: rotate first.
"""

import base64
import os
from collections.abc import Callable

from nacl.signing import SigningKey

from plenary_contracts.catalog import checkin as contract
from plenary_contracts.errors import Conflict, NotFound
from plenary_kit.acting import tenant, utcnow
from plenary_kit.db import UnitOfWork
from plenary_kit.sealing import Sealer

from ..adapters import badge_key_repository as keys
from ..adapters.badge_key_repository import StoredKey
from ..domain.badges import KEY_ID_BYTES

SEALING_PURPOSE = "checkin.badges"  # the key derivation's personalisation: keys sealed under it must stay readable


def badge_key_sealer(secret: str) -> Sealer:
    """What seals private keys at rest, from the badge key secret setting."""
    return Sealer(secret, SEALING_PURPOSE)


def public_key_text(raw: bytes) -> str:
    """A public key as devices receive it: base64url without padding."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def key_model(stored: StoredKey) -> contract.BadgeKey:
    return contract.BadgeKey(
        key_id=stored.key_id,
        tenant_id=stored.tenant_id,
        public_key=public_key_text(stored.public_key),
        signing=stored.signing,
        created_at=stored.created_at,
        retired_at=stored.retired_at,
    )


class BadgeKeys:
    def __init__(self, sealer: Sealer, new_id: Callable[[], bytes] = lambda: os.urandom(KEY_ID_BYTES)) -> None:
        self.sealer = sealer
        self.new_key_id = new_id

    def private_key(self, stored: StoredKey) -> SigningKey:
        return SigningKey(self.sealer.unseal_bytes(stored.sealed_private_key))

    async def signing_key(self, uow: UnitOfWork, tenant_id: str) -> StoredKey:
        """The tenant's signing key, made now if the tenant has none yet. Two first requests may race: the
        unique index lets one insert, and the other reads the winner's key."""
        while True:
            found = await keys.signing_key(uow.session, tenant_id)
            if found is not None:
                return found
            made = await self._add(uow, tenant_id)
            if made is not None:
                uow.publish(contract.BADGE_KEY_ROTATED, contract.BadgeKeyChanged(key=key_model(made)))
                return made

    async def _add(self, uow: UnitOfWork, tenant_id: str) -> StoredKey | None:
        private = SigningKey.generate()
        return await keys.add_signing_key(
            uow.session,
            tenant_id=tenant_id,
            key_id=self.new_key_id().hex(),
            public_key=bytes(private.verify_key),
            sealed_private_key=self.sealer.seal_bytes(bytes(private)),
        )

    # --- operations ------------------------------------------------------------------------------

    async def list_keys(self, request: contract.NoRequest, uow: UnitOfWork) -> contract.BadgeKeys:
        """What a device needs to verify badges offline: every key that still verifies (none before the
        tenant's first badge)."""
        return contract.BadgeKeys(keys=[key_model(k) for k in await keys.verifying_keys(uow.session, tenant())])

    async def rotate(self, request: contract.NoRequest, uow: UnitOfWork) -> contract.BadgeKey:
        tenant_id = tenant()
        await keys.serialize_key_changes(uow.session, tenant_id)
        while True:
            # again after a conflict: a first key made lazily meanwhile has committed, and stops signing too
            await keys.stop_signing(uow.session, tenant_id)
            made = await self._add(uow, tenant_id)
            if made is not None:
                break
        model = key_model(made)
        uow.publish(contract.BADGE_KEY_ROTATED, contract.BadgeKeyChanged(key=model))
        return model

    async def retire(self, request: contract.BadgeKeyRef, uow: UnitOfWork) -> contract.BadgeKey:
        """Stop a key verifying. Retiring a retired key changes nothing; the signing key is refused (409):
        badges issued from now on would not verify."""
        tenant_id = tenant()
        await keys.serialize_key_changes(uow.session, tenant_id)
        found = await keys.get_key(uow.session, tenant_id, request.key_id, for_update=True)
        if found is None:
            raise NotFound(f"badge key {request.key_id} not found")
        if found.signing:
            raise Conflict("the signing key cannot be retired: rotate first, then retire the old key")
        if found.retired_at is not None:
            return key_model(found)
        model = key_model(await keys.retire(uow.session, tenant_id, request.key_id, utcnow()))
        uow.publish(contract.BADGE_KEY_RETIRED, contract.BadgeKeyChanged(key=model))
        return model
