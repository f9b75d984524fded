"""Identity's users and tenants, as views follow them: owners' names for a view's ``owner``; a deleted user's
private views go and their shared ones stay without an owner; a deleted tenant's views go."""

from plenary_contracts.catalog import identity
from plenary_kit.db import UnitOfWork, same_tenant

from ..adapters import tenant_purge
from ..adapters import view_repository as views
from ..domain.views import orphan_name


async def user_changed(uow: UnitOfWork, tenant_id: str | None, payload: identity.UserChanged) -> None:
    if same_tenant(tenant_id, payload.user.tenant_id, "user", payload.user.id):
        await views.upsert_owner(uow.session, payload.user)


async def user_deleted(uow: UnitOfWork, tenant_id: str | None, payload: identity.UserDeleted) -> None:
    """Ownerless views share one namespace per tenant and entity type (the unique key's null owner), so a shared
    view whose name another ownerless view holds gets the copy counter."""
    await views.delete_private_views(uow.session, payload.user_id)
    for view in await views.shared_views_of(uow.session, payload.user_id):
        await views.lock_namespace(uow.session, view.tenant_id, None, view.entity_type)
        taken = await views.names_starting(uow.session, view.tenant_id, None, view.entity_type, view.name[:150])
        await views.disown(uow.session, view.id, orphan_name(view.name, taken))
    await views.delete_owner(uow.session, payload.user_id)


async def tenant_deleted(uow: UnitOfWork, tenant_id: str) -> None:
    await tenant_purge.purge(uow.session, tenant_id)
