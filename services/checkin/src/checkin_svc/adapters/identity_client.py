"""Identity, asked over the bus for the API keys devices authenticate with.

A scanner or kiosk gets an API key of its tenant at pairing, limited to ``check-in:scan`` at its event. Identity
stores only the key's HMAC, the gateway checks it like any key, and revoking it reaches every gateway within a
second through identity's key bucket: a device credential needs nothing of its own.
"""

from dataclasses import dataclass, replace

from plenary_contracts.catalog import identity
from plenary_contracts.errors import BadRequest, NotFound
from plenary_contracts.permissions import Permission
from plenary_kit import context as ctx
from plenary_kit.bus.rpc import call
from plenary_kit.service import Runtime

DEVICE_PERMISSIONS = [Permission("check-in", "scan").code]


@dataclass(frozen=True)
class DeviceKey:
    api_key_id: str
    key_prefix: str
    raw_key: str  # shown once to whoever paired the device, never stored here


def _as_caller() -> ctx.Context:
    """The caller, without their request's conditions: an If-Match meant for the device must not be checked
    against the key, and the caller's Idempotency-Key must not make identity replay a key issued (and perhaps
    revoked again) for an earlier attempt."""
    return replace(ctx.current(), if_match=None, idempotency_key=None)


class IdentityClient:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime  # its NATS connection exists only once the runtime started

    async def issue_device_key(self, *, name: str, event_id: str) -> DeviceKey:
        created = await call(
            self.runtime.nc,
            identity.CREATE_API_KEY,
            identity.CreateApiKey(
                name=name[:200],
                description="A check-in device's key, issued at pairing.",
                permissions=DEVICE_PERMISSIONS,
                scopes=identity.ApiKeyScopes(event_ids=[event_id]),
            ),
            context=_as_caller(),
        )
        return DeviceKey(created.api_key.id, created.api_key.key_prefix, created.raw_key)

    async def revoke_device_key(self, api_key_id: str) -> None:
        """Revoke the key; one already gone or already revoked is fine (the device is unpaired either way, and a
        retried unpairing must not fail on the revocation its first attempt made)."""
        try:
            await call(
                self.runtime.nc, identity.REVOKE_API_KEY, identity.ApiKeyRef(id=api_key_id), context=_as_caller()
            )
        except (NotFound, BadRequest):
            pass
