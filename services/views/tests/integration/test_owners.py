"""Identity's users and tenants as views follows them: a view's owner by name, a deleted user's private views
gone and shared ones kept without an owner (renamed when another ownerless view holds the name), a deleted
tenant's views purged; a redelivered event changes nothing more."""

import pytest
import sqlalchemy as sa
from views_svc.adapters.tables import view_owner

from plenary_contracts.catalog import identity
from plenary_contracts.catalog import views as contract
from plenary_contracts.errors import NotFound
from plenary_kit.testing.plugin import eventually

from .conftest import ADMIN, COLLEAGUE, OTHER_TENANT, TENANT


async def _gone(views, view_id: str, **context) -> bool:
    try:
        await views.call(contract.GET_VIEW, {"id": view_id}, **context)
    except NotFound:
        return True
    return False


async def test_a_view_shows_its_owner_by_the_name_identity_last_announced(views):
    view = await views.view("Mine")
    assert view.owner.model_dump() == {"id": ADMIN, "name": None}
    await views.user(ADMIN, "Ada Admin", at="2026-01-02T00:00:00Z")
    await views.user(ADMIN, "Older Name", at="2026-01-01T00:00:00Z")  # out of order: never takes the name back
    await views.user("somebody", "Some Body")

    async def named() -> bool:
        got = await views.call(contract.GET_VIEW, {"id": view.id})
        return got.owner.name == "Ada Admin" and await views.scalar(_owner_count()) == 2

    await eventually(named)
    assert (await views.call(contract.GET_VIEW, {"id": view.id})).owner.name == "Ada Admin"


def _owner_count():
    return sa.select(sa.func.count()).select_from(view_owner)


async def test_a_deleted_users_private_views_go_and_shared_ones_stay_without_owner_or_default(views):
    private = await views.view("Private", actor=COLLEAGUE)
    shared = await views.view("Board", actor=COLLEAGUE, isShared=True)
    await views.call(contract.UPDATE_VIEW, {"id": shared.id, "isDefault": True}, actor=COLLEAGUE)
    orphan = await views.view("Board", actor="gone-before", isShared=True)
    await views.publish(identity.USER_DELETED, {"userId": "gone-before", "tenantId": TENANT})
    await eventually(lambda: _ownerless(views, orphan.id))
    await views.user(COLLEAGUE, "Col League")
    await views.publish(identity.USER_DELETED, {"userId": COLLEAGUE, "tenantId": TENANT})
    await eventually(lambda: _gone(views, private.id, actor=COLLEAGUE))
    kept = await views.call(contract.GET_VIEW, {"id": shared.id})
    assert (kept.user_id, kept.owner, kept.is_default, kept.is_shared) == (None, None, False, True)
    assert kept.name == "Board (copy)"  # the first deleted user's "Board" holds the ownerless name
    # the deletion told twice (identity's retry as a new event) changes nothing more
    await views.publish(identity.USER_DELETED, {"userId": COLLEAGUE, "tenantId": TENANT})
    await views.view("After")
    await eventually(lambda: _handled_twice(views))
    listed = await views.call(contract.LIST_VIEWS, {"entityType": "event"})
    assert sorted(v.name for v in listed.data) == ["After", "Board", "Board (copy)"]


async def _handled_twice(views) -> bool:
    inbox = views.runtime.spec.messaging.inbox
    query = sa.select(sa.func.count()).select_from(inbox).where(inbox.c.event_type == identity.USER_DELETED.type)
    return await views.scalar(query) == 3


async def _ownerless(views, view_id: str) -> bool:
    return (await views.call(contract.GET_VIEW, {"id": view_id})).user_id is None


async def test_a_deleted_tenants_views_are_purged_and_other_tenants_keep_theirs(views):
    gone = await views.view("Gone", isShared=True)
    kept = await views.view("Kept", tenant=OTHER_TENANT)
    await views.publish(identity.TENANT_DELETED, {"tenantId": TENANT})
    await eventually(lambda: _gone(views, gone.id))
    assert (await views.call(contract.GET_VIEW, {"id": kept.id}, tenant=OTHER_TENANT)).name == "Kept"
    with pytest.raises(NotFound):
        await views.call(contract.GET_VIEW, {"id": gone.id})
