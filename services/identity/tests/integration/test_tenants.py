import pytest
import sqlalchemy as sa
from identity_svc.adapters.tables import api_key, user

from plenary_contracts.access import etag_of
from plenary_contracts.catalog import identity as contract
from plenary_contracts.errors import Conflict, Forbidden, NotFound, PreconditionFailed


async def test_tenants_are_created_read_listed_and_updated_with_events(identity):
    acme = await identity.tenant("acme")
    await identity.tenant("globex")
    assert (await identity.as_admin(contract.GET_TENANT, {"id": acme.id})) == acme
    found = await identity.as_admin(contract.LIST_TENANTS, {"search": "GLOB"})
    assert [t.slug for t in found.data] == ["globex"]
    by_name = await identity.as_admin(contract.LIST_TENANTS, {"sort": "name:asc"})
    assert [t.slug for t in by_name.data] == ["acme", "globex"]

    updated = await identity.as_admin(
        contract.UPDATE_TENANT, {"id": acme.id, "phone": "+1 555 0100"}, if_match=etag_of(acme.updated_at)
    )
    assert (updated.phone, updated.name) == ("+1 555 0100", "Acme") and updated.updated_at > acme.updated_at
    with pytest.raises(PreconditionFailed):
        await identity.as_admin(
            contract.UPDATE_TENANT, {"id": acme.id, "phone": "0"}, if_match=etag_of(acme.updated_at)
        )
    (event,) = await identity.events(contract.TENANT_UPDATED)
    assert (event["tenantid"], event["data"]["tenant"]["phone"]) == (acme.id, "+1 555 0100")


async def test_a_taken_name_slug_or_email_is_a_conflict_naming_the_field(identity):
    acme = await identity.tenant("acme")
    other = {"name": "Other", "slug": "other", "email": "office@other.test"}
    for field, value in (("name", "Acme"), ("slug", "acme"), ("email", acme.email)):
        with pytest.raises(Conflict) as taken:
            await identity.as_admin(contract.CREATE_TENANT, other | {field: value})
        assert taken.value.details == {"field": field}
    globex = await identity.tenant("globex")
    with pytest.raises(Conflict):
        await identity.as_admin(contract.UPDATE_TENANT, {"id": globex.id, "name": "Acme"})


async def test_a_caller_inside_a_tenant_cannot_manage_tenants(identity):
    acme = await identity.tenant("acme")
    for spec, body in (
        (contract.LIST_TENANTS, {}),
        (contract.GET_TENANT, {"id": acme.id}),
        (contract.CREATE_TENANT, {"name": "X", "slug": "xx", "email": "x@x.test"}),
        (contract.UPDATE_TENANT, {"id": acme.id, "name": "Mine"}),
        (contract.DELETE_TENANT, {"id": acme.id}),
    ):
        with pytest.raises(Forbidden):
            await identity.as_admin(spec, body, tenant=acme.id)


async def test_deleting_a_tenant_takes_its_users_and_keys_and_announces_each_live_key_revoked(identity):
    acme, globex = await identity.tenant("acme"), await identity.tenant("globex")
    await identity.user(acme.id, "acme-member")
    first = await identity.as_admin(contract.CREATE_API_KEY, {"name": "a", "permissions": ["*"]}, tenant=acme.id)
    await identity.as_admin(contract.CREATE_API_KEY, {"name": "b", "permissions": ["*"]}, tenant=acme.id)
    await identity.as_admin(contract.REVOKE_API_KEY, {"id": first.api_key.id}, tenant=acme.id)
    await identity.as_admin(contract.CREATE_API_KEY, {"name": "c", "permissions": ["*"]}, tenant=globex.id)

    await identity.as_admin(contract.DELETE_TENANT, {"id": acme.id})
    with pytest.raises(NotFound):
        await identity.as_admin(contract.GET_TENANT, {"id": acme.id})
    left = await identity.execute(sa.select(sa.func.count()).select_from(user).where(user.c.tenant_id == acme.id))
    assert left.scalar_one() == 0
    keys = await identity.execute(sa.select(api_key.c.tenant_id))
    assert [k.tenant_id for k in keys] == [globex.id]
    revoked = [e for e in await identity.events(contract.API_KEY_REVOKED) if e["tenantid"] == acme.id]
    assert sorted(e["data"]["apiKey"]["name"] for e in revoked) == ["a", "b"]  # "a" by hand, "b" by the deletion
    (deleted,) = await identity.events(contract.TENANT_DELETED)
    assert (deleted["tenantid"], deleted["data"]) == (acme.id, {"tenantId": acme.id})
