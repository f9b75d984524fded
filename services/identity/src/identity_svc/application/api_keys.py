"""API keys for integrators: the raw key is shown once, found by its lookup id, checked by a keyed hash."""

from collections.abc import Callable, Iterable
from datetime import timedelta
from uuid import uuid4

from nats.js import JetStreamContext

from plenary_contracts import credentials
from plenary_contracts.catalog import events
from plenary_contracts.catalog import identity as contract
from plenary_contracts.enums import ApiKeyStatus, RateLimitTier
from plenary_contracts.errors import BadRequest, NotFound
from plenary_contracts.permissions import KNOWN_CODES
from plenary_contracts.usage import Usage, merge_usages
from plenary_kit import context as ctx
from plenary_kit.acting import actor, located, refuse, utcnow
from plenary_kit.db import UnitOfWork
from plenary_kit.ids import new_id
from plenary_kit.preconditions import require_if_match

from ..adapters import api_key_mirror
from ..adapters import api_key_repository as keys
from ..adapters.api_key_repository import ApiKeyRecord
from ..domain.api_keys import (
    Problem,
    expiry_due,
    may_change,
    may_revoke,
    may_rotate,
    scope_without_event,
    settings_problems,
)
from .caller import caller_tenant, publish_about

_NULLABLE = ("description", "scopes", "rate_limit_custom", "expires_at")  # an explicit null clears these
_REQUIRED = ("name", "permissions", "rate_limit_tier", "allowed_ips", "allowed_origins")


def _tenant() -> str:
    tenant_id = caller_tenant()
    if tenant_id is None:
        raise BadRequest("a global admin must choose a tenant (X-Tenant-Id)")
    return tenant_id


def _refuse(problems: list[Problem]) -> None:
    refuse("the API key's settings are not valid", located((), ((p.loc, p.message) for p in problems)))


def _scopes(scopes: contract.ApiKeyScopes | None) -> dict | None:
    return scopes.model_dump(mode="json") if scopes is not None else None


async def _get(uow: UnitOfWork, key_id: str, *, for_update: bool = False) -> ApiKeyRecord:
    found = await keys.get(uow.session, key_id, _tenant(), for_update=for_update)
    if found is None:
        raise NotFound(f"API key {key_id} not found")
    return found


async def _revoke(uow: UnitOfWork, key_id: str) -> contract.ApiKey:
    now = utcnow()
    revoked = await keys.update(uow.session, key_id, status=ApiKeyStatus.REVOKED, revoked_at=now, updated_at=now)
    return _publish(uow, contract.API_KEY_REVOKED, revoked)


def _publish(uow: UnitOfWork, spec, changed: ApiKeyRecord) -> contract.ApiKey:  # type: ignore[no-untyped-def]
    key = keys.to_api_key(changed)
    publish_about(uow, spec, contract.ApiKeyChanged(api_key=key), tenant_id=key.tenant_id, subject=key.id)
    return key


class ApiKeys:
    def __init__(self, secret: str) -> None:
        self.secret = secret

    def _new_secret_values(self, tenant_id: str) -> tuple[str, dict[str, str]]:
        raw, parsed = credentials.new_api_key(tenant_id)
        values = {
            "key_hash": credentials.api_key_hash(self.secret, raw),
            "key_prefix": parsed.display_prefix,
            "lookup_id": parsed.lookup_id,
        }
        return raw, values

    async def create_api_key(self, request: contract.CreateApiKey, uow: UnitOfWork) -> contract.ApiKeyCreated:
        tenant_id = _tenant()
        now = utcnow()
        _refuse(
            settings_problems(
                permissions=request.permissions,
                known_permissions=KNOWN_CODES,
                tier=request.rate_limit_tier,
                custom_limit=request.rate_limit_custom,
                allowed_ips=request.allowed_ips,
                expires_at=request.expires_at,
                now=now,
            )
        )
        raw, secret_values = self._new_secret_values(tenant_id)
        created = await keys.insert(
            uow.session,
            id=new_id(),
            tenant_id=tenant_id,
            name=request.name,
            description=request.description,
            permissions=list(dict.fromkeys(request.permissions)),
            scopes=_scopes(request.scopes),
            rate_limit_tier=request.rate_limit_tier,
            rate_limit_custom=request.rate_limit_custom,
            status=ApiKeyStatus.ACTIVE,
            expires_at=request.expires_at,
            allowed_ips=list(dict.fromkeys(request.allowed_ips)),
            allowed_origins=list(dict.fromkeys(request.allowed_origins)),
            created_by=actor(),
            created_at=now,
            updated_at=now,
            **secret_values,
        )
        return contract.ApiKeyCreated(api_key=_publish(uow, contract.API_KEY_CREATED, created), raw_key=raw)

    async def list_api_keys(self, request: contract.ListApiKeys, uow: UnitOfWork) -> contract.ApiKeyPage:
        found, meta = await keys.page(uow.session, _tenant(), request)
        return contract.ApiKeyPage(data=[keys.to_api_key(k) for k in found], meta=meta)

    async def find_api_key_credential(
        self, request: contract.FindApiKeyCredential, uow: UnitOfWork
    ) -> contract.FoundApiKeyCredential:
        """For a gateway whose mirror does not hold the key yet (it was just made): the credential if usable."""
        found = await keys.by_lookup_id(uow.session, request.lookup_id)
        credential = keys.to_credential(found) if found is not None else None
        if credential is None or not credential.usable_at(utcnow()):
            return contract.FoundApiKeyCredential()
        return contract.FoundApiKeyCredential(credential=credential)

    async def get_api_key(self, request: contract.ApiKeyRef, uow: UnitOfWork) -> contract.ApiKey:
        return keys.to_api_key(await _get(uow, request.id))

    async def update_api_key(self, request: contract.UpdateApiKey, uow: UnitOfWork) -> contract.ApiKey:
        current = await _get(uow, request.id, for_update=True)
        require_if_match(current.updated_at)
        if not may_change(current.status):
            raise BadRequest(f"only an ACTIVE key can be changed; this one is {current.status.value}")
        now = utcnow()
        values: dict[str, object] = {
            name: getattr(request, name) for name in _REQUIRED if getattr(request, name) is not None
        }
        values |= {name: getattr(request, name) for name in _NULLABLE if name in request.model_fields_set}
        tier = RateLimitTier(values.get("rate_limit_tier", current.rate_limit_tier))
        if tier is not RateLimitTier.CUSTOM and "rate_limit_custom" not in values:
            values["rate_limit_custom"] = None  # leaving CUSTOM drops its own limit
        _refuse(
            settings_problems(
                permissions=request.permissions,
                known_permissions=KNOWN_CODES,
                tier=tier,
                custom_limit=values.get("rate_limit_custom", current.rate_limit_custom),  # type: ignore[arg-type]
                allowed_ips=request.allowed_ips,
                expires_at=values.get("expires_at"),  # type: ignore[arg-type]
                now=now,
            )
        )
        for name in ("permissions", "allowed_ips", "allowed_origins"):
            if name in values:
                values[name] = list(dict.fromkeys(values[name]))  # type: ignore[arg-type]
        if "scopes" in values:
            values["scopes"] = _scopes(request.scopes)
        updated = await keys.update(uow.session, request.id, **values, updated_at=now)
        return _publish(uow, contract.API_KEY_UPDATED, updated)

    async def revoke_api_key(self, request: contract.ApiKeyRef, uow: UnitOfWork) -> contract.ApiKey:
        current = await _get(uow, request.id, for_update=True)
        require_if_match(current.updated_at)
        if not may_revoke(current.status):
            raise BadRequest("the key is already revoked")
        return await _revoke(uow, request.id)

    async def rotate_api_key(self, request: contract.RotateApiKey, uow: UnitOfWork) -> contract.ApiKeyCreated:
        """One transaction: the old key turns ROTATED with its grace end, the new one copies its settings."""
        current = await _get(uow, request.id, for_update=True)
        require_if_match(current.updated_at)
        now = utcnow()
        if not may_rotate(current.status, current.expires_at, now):
            raise BadRequest(f"only an ACTIVE, unexpired key can be rotated; this one is {current.status.value}")
        old = await keys.update(
            uow.session,
            current.id,
            status=ApiKeyStatus.ROTATED,
            rotation_grace_end=now + timedelta(hours=request.grace_hours),
            updated_at=now,
        )
        raw, secret_values = self._new_secret_values(current.tenant_id)
        new = await keys.insert(
            uow.session,
            **current.copied(),
            **secret_values,
            id=new_id(),
            status=ApiKeyStatus.ACTIVE,
            rotated_from_id=current.id,
            created_at=now,
            updated_at=now,
        )
        rotated = contract.ApiKeyRotated(old_key=keys.to_api_key(old), new_key=keys.to_api_key(new))
        publish_about(uow, contract.API_KEY_ROTATED, rotated, tenant_id=current.tenant_id, subject=current.id)
        return contract.ApiKeyCreated(api_key=rotated.new_key, raw_key=raw)

    async def record_api_key_usage(
        self, request: contract.RecordApiKeyUsage, uow: UnitOfWork
    ) -> contract.UsageRecorded:
        """Internal (the gateways' batches): no tenant scope, no event, no ETag change."""
        usages = merge_usages(Usage(u.key_id, u.count, u.last_used_at, u.last_used_ip) for u in request.usages)
        return contract.UsageRecorded(keys=await keys.add_usages(uow.session, usages))


async def sweep_expired_keys(new_uow: Callable[[], UnitOfWork], batch: int = 200) -> int:
    """Mark EXPIRED the keys past their expiry or their rotation grace; replicas share the work."""
    swept = 0
    while True:
        with ctx.acting(actor_id=contract.SYSTEM_USER_ID, correlation_id=f"api-key-sweep-{uuid4()}"):
            async with new_uow() as uow:
                now = utcnow()
                claimed = await keys.claim_expired(uow.session, now, batch)
                due = [r for r in claimed if expiry_due(r.status, r.expires_at, r.rotation_grace_end, now)]
                for claimed_key in due:
                    expired = await keys.update(
                        uow.session, claimed_key.id, status=ApiKeyStatus.EXPIRED, updated_at=now
                    )
                    _publish(uow, contract.API_KEY_EXPIRED, expired)
                await uow.commit()
        swept += len(due)
        if len(claimed) < batch or not due:
            return swept


async def event_deleted(uow: UnitOfWork, tenant_id: str | None, payload: events.EventDeleted) -> None:
    """The keys scoped to a deleted event lose it: revoked when it was their only event (a scanner's, a
    kiosk's), narrowed to the others otherwise. The gateways hear of it as of any revocation."""
    if tenant_id is None:
        return
    for key in await keys.live_scoped_to_event(uow.session, tenant_id, payload.event_id):
        remaining = scope_without_event((key.scopes or {}).get("eventIds", []), payload.event_id)
        if remaining is None:
            await _revoke(uow, key.id)
        else:
            narrowed = await keys.update(uow.session, key.id, scopes={"eventIds": remaining}, updated_at=utcnow())
            _publish(uow, contract.API_KEY_UPDATED, narrowed)


def changed_keys(payload: contract.ApiKeyChanged | contract.ApiKeyRotated) -> Iterable[contract.ApiKey]:
    if isinstance(payload, contract.ApiKeyRotated):
        return (payload.old_key, payload.new_key)
    return (payload.api_key,)


async def mirror_api_keys(
    uow: UnitOfWork, payload: contract.ApiKeyChanged | contract.ApiKeyRotated, js: JetStreamContext
) -> None:
    """The rows, not the payload: a late or repeated event cannot bring back a revoked key."""
    now = utcnow()
    for key in changed_keys(payload):
        stored = await keys.get(uow.session, key.id)
        await api_key_mirror.reflect(js, keys.to_credential(stored) if stored else None, key.key_prefix, now)
