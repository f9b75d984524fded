"""Handheld scanners: pair one to an event, list them, revoke one.

Pairing asks identity for an API key of the tenant limited to scanning at this event; the raw key is in the
reply only (the device sends it as ``X-API-Key``), checkin keeps its id and visible prefix. The tenant's badge
signing key is made then if it has none yet, so a new scanner finds a public key to verify badges offline. If the device
cannot be stored, the key just issued is revoked again, so no working key is left without a device.
Revoking revokes the key at identity (every gateway refuses it within a second) and marks the device.
"""

from typing import Any, Protocol

from plenary_contracts.catalog import checkin as contract
from plenary_contracts.errors import NotFound
from plenary_kit.acting import actor, require_grant, tenant, utcnow
from plenary_kit.db import UnitOfWork
from plenary_kit.ids import new_id
from plenary_kit.logging import get_logger

from ..adapters import device_repository as devices
from ..adapters.identity_client import DeviceKey
from .directory import known_event

log = get_logger(__name__)
PERMISSION = contract.REVOKE_DEVICE.permission  # check-in:manage, as every device operation


class DeviceKeys(Protocol):
    async def issue_device_key(self, *, name: str, event_id: str) -> DeviceKey: ...

    async def revoke_device_key(self, api_key_id: str) -> None: ...


class SigningKeys(Protocol):
    async def signing_key(self, uow: UnitOfWork, tenant_id: str) -> Any: ...


class Devices:
    def __init__(self, keys: DeviceKeys, badge_keys: SigningKeys) -> None:
        self.keys = keys
        self.badge_keys = badge_keys

    async def pair_device(self, request: contract.PairDevice, uow: UnitOfWork) -> contract.PairedDevice:
        tenant_id = tenant()
        await known_event(uow, tenant_id, request.event_id)
        await self.badge_keys.signing_key(uow, tenant_id)
        key = await self.keys.issue_device_key(name=f"Scanner: {request.name}", event_id=request.event_id)
        try:
            paired = await devices.insert(
                uow.session,
                {
                    "id": new_id(),
                    "tenant_id": tenant_id,
                    "event_id": request.event_id,
                    "name": request.name,
                    "api_key_id": key.api_key_id,
                    "key_prefix": key.key_prefix,
                    "paired_by": actor(),
                },
            )
        except Exception:
            await self._revoke_quietly(key.api_key_id)
            raise
        uow.publish(contract.DEVICE_PAIRED, contract.DeviceChanged(device=paired), subject=paired.id)
        return contract.PairedDevice(device=paired, device_key=key.raw_key)

    async def revoke_device(self, request: contract.DeviceRef, uow: UnitOfWork) -> contract.Device:
        """Revoke the device's key; a device already revoked is answered as it is."""
        current = await devices.get(uow.session, tenant(), request.id, for_update=True)
        if current is None:
            raise NotFound(f"device {request.id} not found")
        require_grant(PERMISSION, current.event_id)  # type: ignore[arg-type]
        if current.revoked_at is not None:
            return current
        # Marked first, under the row's lock: if identity fails, the mark rolls back with the request
        revoked = await devices.mark_revoked(uow.session, current.id, utcnow())
        await self.keys.revoke_device_key(current.api_key_id)
        uow.publish(contract.DEVICE_REVOKED, contract.DeviceChanged(device=revoked), subject=revoked.id)
        return revoked

    async def _revoke_quietly(self, api_key_id: str) -> None:
        try:
            await self.keys.revoke_device_key(api_key_id)
        except Exception:
            log.exception("a device key issued for a device that was not stored could not be revoked", key=api_key_id)


async def list_devices(request: contract.ListDevices, uow: UnitOfWork) -> contract.DevicePage:
    tenant_id = tenant()
    await known_event(uow, tenant_id, request.event_id)
    found, meta = await devices.page(uow.session, tenant_id, request)
    return contract.DevicePage(data=found, meta=meta)
