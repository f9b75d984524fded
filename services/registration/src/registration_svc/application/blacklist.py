"""Blacklist entries: add, list, read, change or deactivate (If-Match), remove.

A caller without a tenant (a global admin acting without X-Tenant-Id) manages the global entries that
screen every tenant; anyone else manages their tenant's. A tenant reads the global entries but cannot
change them: to its writes they do not exist (global entries are a global admin's alone).
"""

from datetime import datetime
from typing import Any

from plenary_contracts.catalog import registration as contract
from plenary_contracts.errors import NotFound
from plenary_kit import context as ctx
from plenary_kit.acting import actor, field_error, refuse, utcnow
from plenary_kit.db import UnitOfWork
from plenary_kit.ids import new_id
from plenary_kit.preconditions import require_if_match

from ..adapters import blacklist_repository as entries
from ..adapters import screening_repository as screening_store
from ..adapters.rows import values_of
from ..domain import screening
from .reference_cache import ReferenceCache

# An entry must say whom it screens: one of these (wire name → column).
_IDENTIFYING = {
    "name": "name",
    "nameVariations": "name_variations",
    "passportNumber": "passport_number",
    "email": "email",
    "organization": "organization",
}
# Fields an update may clear with an explicit null; the others are only replaced.
_CLEARABLE = (
    "name",
    "passport_number",
    "email",
    "date_of_birth",
    "nationality",
    "organization",
    "source",
    "expires_at",
)
_REPLACEABLE = ("type", "name_variations", "reason", "is_active")


def _caller_tenant() -> str | None:
    return ctx.current().tenant_id


def _require_identifying(values: dict[str, Any]) -> None:
    if not any(values.get(column) for column in _IDENTIFYING.values()):
        refuse(
            "a blacklist entry must name whom it screens",
            [field_error([wire], "give at least one of " + ", ".join(_IDENTIFYING)) for wire in _IDENTIFYING],
        )


async def _owned(uow: UnitOfWork, entry_id: str) -> entries.StoredEntry:
    row = await entries.get(uow.session, entry_id, _caller_tenant(), owned=True, for_update=True)
    if row is None:
        raise NotFound(f"blacklist entry {entry_id} not found")
    return row


def _publish(uow: UnitOfWork, spec: Any, row: entries.StoredEntry) -> contract.BlacklistEntry:
    entry = entries.to_entry(row)
    uow.publish(spec, contract.BlacklistChanged(entry=entry), subject=entry.id)
    return entry


async def screened_against(
    uow: UnitOfWork, cache: ReferenceCache, tenant_id: str, now: datetime
) -> list[screening.BlacklistEntry]:
    """The entries screening applies to the tenant now: its own and the global ones, active, not expired."""

    async def read() -> tuple[tuple[screening.BlacklistEntry, datetime | None], ...]:
        return tuple(await screening_store.active_blacklist(uow.session, tenant_id))

    return [entry for entry, expires_at in await cache.load(tenant_id, "blacklist", read)
            if expires_at is None or expires_at > now]  # fmt: skip


async def create_blacklist_entry(
    request: contract.CreateBlacklistEntry, uow: UnitOfWork, *, cache: ReferenceCache
) -> contract.BlacklistEntry:
    values = request.model_dump(by_alias=False)
    _require_identifying(values)
    now, entry_id = utcnow(), new_id()
    await entries.insert(
        uow.session,
        **values,
        id=entry_id,
        tenant_id=_caller_tenant(),
        added_by=actor(),
        is_active=True,
        created_at=now,
        updated_at=now,
    )
    cache.changed(uow, _caller_tenant())
    return _publish(uow, contract.BLACKLIST_ENTRY_CREATED, await _owned(uow, entry_id))


async def list_blacklist(request: contract.ListBlacklist, uow: UnitOfWork) -> contract.BlacklistPage:
    found, meta = await entries.page(uow.session, _caller_tenant(), request)
    return contract.BlacklistPage(data=found, meta=meta)


async def get_blacklist_entry(request: contract.BlacklistRef, uow: UnitOfWork) -> contract.BlacklistEntry:
    row = await entries.get(uow.session, request.id, _caller_tenant())
    if row is None:
        raise NotFound(f"blacklist entry {request.id} not found")
    return entries.to_entry(row)


async def update_blacklist_entry(
    request: contract.UpdateBlacklistEntry, uow: UnitOfWork, *, cache: ReferenceCache
) -> contract.BlacklistEntry:
    """A partial change; ``isActive: false`` deactivates (screening skips it), true reactivates."""
    current = await _owned(uow, request.id)
    require_if_match(current.updated_at)
    sent = request.model_fields_set
    changes = {name: getattr(request, name) for name in _CLEARABLE if name in sent}
    changes |= {name: getattr(request, name) for name in _REPLACEABLE if getattr(request, name) is not None}
    if not changes:
        return entries.to_entry(current)
    _require_identifying(values_of(current) | changes)
    await entries.update(uow.session, request.id, **changes, updated_at=utcnow())
    cache.changed(uow, current.tenant_id)
    return _publish(uow, contract.BLACKLIST_ENTRY_UPDATED, await _owned(uow, request.id))


async def delete_blacklist_entry(
    request: contract.BlacklistRef, uow: UnitOfWork, *, cache: ReferenceCache
) -> contract.BlacklistRef:
    current = await _owned(uow, request.id)
    await entries.delete(uow.session, request.id)
    cache.changed(uow, current.tenant_id)
    _publish(uow, contract.BLACKLIST_ENTRY_DELETED, current)
    return contract.BlacklistRef(id=request.id)
