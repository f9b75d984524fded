"""Tenants: only a global administrator (no tenant in context) manages them."""

from plenary_contracts.catalog import identity as contract
from plenary_contracts.enums import ApiKeyStatus
from plenary_contracts.errors import Forbidden, NotFound
from plenary_contracts.operations import Empty
from plenary_kit.acting import utcnow
from plenary_kit.db import UnitOfWork
from plenary_kit.ids import new_id
from plenary_kit.preconditions import require_if_match

from ..adapters import api_key_repository as keys
from ..adapters import tenant_repository as tenants
from . import revocations
from .caller import caller_tenant, publish_about


def _require_global() -> None:
    # The gateway already refuses; a service checks again (defence in depth).
    if caller_tenant() is not None:
        raise Forbidden("only a global administrator manages tenants")


async def _get(uow: UnitOfWork, tenant_id: str, *, for_update: bool = False) -> contract.Tenant:
    found = await tenants.get(uow.session, tenant_id, for_update=for_update)
    if found is None:
        raise NotFound(f"tenant {tenant_id} not found")
    return found


async def create_tenant(request: contract.CreateTenant, uow: UnitOfWork) -> contract.Tenant:
    _require_global()
    now = utcnow()
    values = request.model_dump(by_alias=False) | {"id": new_id(), "created_at": now, "updated_at": now}
    created = await tenants.insert(uow.session, values)
    publish_about(
        uow, contract.TENANT_CREATED, contract.TenantChanged(tenant=created), tenant_id=created.id, subject=created.id
    )
    return created


async def list_tenants(request: contract.ListTenants, uow: UnitOfWork) -> contract.TenantPage:
    _require_global()
    found, meta = await tenants.page(uow.session, request)
    return contract.TenantPage(data=found, meta=meta)


async def get_tenant(request: contract.TenantRef, uow: UnitOfWork) -> contract.Tenant:
    _require_global()
    return await _get(uow, request.id)


async def tenant_exists(request: contract.TenantRef, uow: UnitOfWork) -> contract.TenantExistence:
    """For the gateway (no caller): whether a global admin's X-Tenant-Id names a tenant."""
    return contract.TenantExistence(id=request.id, exists=await tenants.exists(uow.session, request.id))


async def update_tenant(request: contract.UpdateTenant, uow: UnitOfWork) -> contract.Tenant:
    _require_global()
    current = await _get(uow, request.id, for_update=True)
    require_if_match(current.updated_at)
    changes = request.model_dump(exclude={"id"}, exclude_none=True, by_alias=False)
    updated = await tenants.update(uow.session, request.id, changes, utcnow())
    publish_about(
        uow, contract.TENANT_UPDATED, contract.TenantChanged(tenant=updated), tenant_id=updated.id, subject=updated.id
    )
    return updated


async def delete_tenant(request: contract.TenantRef, uow: UnitOfWork) -> Empty:
    """Hard delete: users, roles, sessions and keys go with it (foreign keys cascade). Each key that may
    still be in the gateways' bucket is announced revoked first, so the mirror removes it."""
    _require_global()
    current = await _get(uow, request.id, for_update=True)
    require_if_match(current.updated_at)
    now = utcnow()
    for live in await keys.live_of_tenant(uow.session, request.id):
        revoked = keys.to_api_key(live).model_copy(
            update={"status": ApiKeyStatus.REVOKED, "revoked_at": now, "updated_at": now}
        )
        publish_about(
            uow,
            contract.API_KEY_REVOKED,
            contract.ApiKeyChanged(api_key=revoked),
            tenant_id=request.id,
            subject=live.id,
        )
    revocations.tenant_gone(uow, request.id)  # its users' access tokens
    publish_about(
        uow,
        contract.TENANT_DELETED,
        contract.TenantDeleted(tenant_id=request.id),
        tenant_id=request.id,
        subject=request.id,
    )
    await tenants.delete(uow.session, request.id)
    return Empty()
