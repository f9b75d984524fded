import pytest
import sqlalchemy as sa
from identity_svc.adapters.tables import user

from plenary_contracts.access import etag_of
from plenary_contracts.catalog import identity as contract
from plenary_contracts.enums import UserStatus
from plenary_contracts.errors import Conflict, Forbidden, NotFound, PreconditionFailed, Unauthorized, ValidationFailed


async def test_a_global_admin_creates_a_tenant_user_with_roles_and_the_event_carries_that_tenant(identity):
    acme = await identity.tenant("acme")
    created = await identity.user(acme.id, "acme-admin", ("TENANT_ADMIN", "VALIDATOR"))
    assert (created.tenant_id, created.status) == (acme.id, UserStatus.ACTIVE)
    assert sorted(r.role_name for r in created.roles) == ["TENANT_ADMIN", "VALIDATOR"]

    (event,) = await identity.events(contract.USER_CREATED)
    assert (event["tenantid"], event["actorid"], event["data"]["user"]["id"]) == (
        acme.id,
        identity.admin_id,
        created.id,
    )
    assert not {"password", "passwordHash", "password_hash"} & set(event["data"]["user"])


async def test_another_tenants_user_is_not_found_and_never_listed(identity):
    acme, globex = await identity.tenant("acme"), await identity.tenant("globex")
    theirs = await identity.user(globex.id, "globex-member")
    ours = await identity.user(acme.id, "acme-member")
    with pytest.raises(NotFound):
        await identity.as_admin(contract.GET_USER, {"id": theirs.id}, tenant=acme.id)
    with pytest.raises(NotFound):
        await identity.as_admin(contract.UPDATE_USER, {"id": theirs.id, "name": "x"}, tenant=acme.id)
    listed = await identity.as_admin(contract.LIST_USERS, {}, tenant=acme.id)
    assert [u.id for u in listed.data] == [ours.id]
    global_users = await identity.as_admin(contract.LIST_USERS, {"sort": "username:asc"})
    assert [u.username for u in global_users.data] == ["admin", "system"]


async def test_a_listed_page_gives_each_user_its_own_roles_and_none_to_a_user_without(identity):
    acme = await identity.tenant("acme")
    both = await identity.user(acme.id, "acme-both", ("VALIDATOR", "TENANT_ADMIN"))
    bare = await identity.user(acme.id, "acme-bare")
    listed = await identity.as_admin(contract.LIST_USERS, {"sort": "username:asc"}, tenant=acme.id)
    assert [(u.id, [r.role_name for r in u.roles]) for u in listed.data] == [
        (bare.id, []),
        (both.id, ["TENANT_ADMIN", "VALIDATOR"]),
    ]
    assert listed.data[1] == both == await identity.as_admin(contract.GET_USER, {"id": both.id}, tenant=acme.id)
    assert listed.meta.total == 2


async def test_a_global_admin_without_a_tenant_reads_changes_and_deletes_any_tenants_user_by_id(identity):
    acme = await identity.tenant("acme")
    member = await identity.user(acme.id, "acme-anyone", ("VALIDATOR",))
    assert (await identity.as_admin(contract.GET_USER, {"id": member.id})).tenant_id == acme.id
    renamed = await identity.as_admin(contract.UPDATE_USER, {"id": member.id, "name": "Renamed"})
    assert (renamed.name, renamed.tenant_id) == ("Renamed", acme.id)
    (assignment,) = renamed.roles
    taken = await identity.as_admin(contract.UNASSIGN_ROLE, {"userId": member.id, "assignmentId": assignment.id})
    assert taken.roles == []
    await identity.as_admin(contract.DELETE_USER, {"id": member.id})
    (deleted,) = await identity.events(contract.USER_DELETED)
    assert deleted["tenantid"] == acme.id  # the event carries the user's tenant, not the caller's
    with pytest.raises(NotFound):
        await identity.as_admin(contract.GET_USER, {"id": member.id})
    # a caller inside a tenant still finds only its own tenant's users
    with pytest.raises(NotFound):
        await identity.call(contract.GET_USER, {"id": identity.admin_id}, tenant=acme.id, actor=member.id)


async def test_a_tenant_caller_creates_only_in_its_own_tenant_and_never_grants_a_global_role(identity):
    acme, globex = await identity.tenant("acme"), await identity.tenant("globex")
    body = {"email": "x@users.test", "username": "xavier", "password": "a-long-enough-password"}
    own = await identity.call(contract.CREATE_USER, body, tenant=acme.id, actor=identity.admin_id)
    assert own.tenant_id == acme.id
    with pytest.raises(Forbidden):
        await identity.call(contract.CREATE_USER, body | {"tenantId": globex.id}, tenant=acme.id)
    with pytest.raises(Forbidden):
        await identity.user(acme.id, "would-be-admin", ("ADMIN",))
    with pytest.raises(ValidationFailed) as unknown:
        await identity.user(acme.id, "nobody-role", ("VALIDATOR", "NO_SUCH_ROLE"))
    assert unknown.value.errors[0].loc == ["roles", 1, "role"]
    with pytest.raises(NotFound):
        await identity.user("no-such-tenant", "orphan")


async def test_a_taken_email_or_username_is_a_conflict_naming_the_field(identity):
    taken = await identity.user(None, "taken")
    with pytest.raises(Conflict) as same_username:
        await identity.as_admin(
            contract.CREATE_USER,
            {"email": "other@users.test", "username": "taken", "password": "a-long-enough-password"},
        )
    assert same_username.value.details == {"field": "username"}
    other = await identity.user(None, "other")
    with pytest.raises(Conflict) as same_email:
        await identity.as_admin(contract.UPDATE_USER, {"id": other.id, "email": taken.email})
    assert same_email.value.details == {"field": "email"}


async def test_a_role_given_or_taken_counts_from_the_next_token(identity):
    acme = await identity.tenant("acme")
    member = await identity.user(acme.id, "late-validator")
    before = await identity.claims((await identity.login("late-validator")).access_token)
    assert (before["roles"], before["grants"]) == ([], [])

    given = await identity.as_admin(
        contract.ASSIGN_ROLE, {"userId": member.id, "role": "VALIDATOR", "eventId": "ev1"}, tenant=acme.id
    )
    (assignment,) = given.roles
    after = await identity.claims((await identity.login("late-validator")).access_token)
    assert after["roles"] == ["VALIDATOR"]
    assert "participant:approve;any;TENANT;ev1" in after["grants"] and len(after["grants"]) == 4
    (assigned,) = await identity.events(contract.USER_ROLE_ASSIGNED)
    assert (assigned["tenantid"], assigned["data"]["assignment"]["id"]) == (acme.id, assignment.id)
    with pytest.raises(Conflict):
        await identity.as_admin(
            contract.ASSIGN_ROLE, {"userId": member.id, "role": "VALIDATOR", "eventId": "ev1"}, tenant=acme.id
        )

    taken = await identity.as_admin(
        contract.UNASSIGN_ROLE, {"userId": member.id, "assignmentId": assignment.id}, tenant=acme.id
    )
    assert taken.roles == []
    assert (await identity.claims((await identity.login("late-validator")).access_token))["grants"] == []
    assert len(await identity.events(contract.USER_ROLE_UNASSIGNED)) == 1
    with pytest.raises(NotFound):
        await identity.as_admin(contract.UNASSIGN_ROLE, {"userId": member.id, "assignmentId": assignment.id})


async def test_a_new_password_ends_the_sessions_and_is_the_one_that_works(identity):
    member = await identity.user(None, "changer")
    pair = await identity.login("changer")
    await identity.as_admin(contract.UPDATE_USER, {"id": member.id, "password": "a-brand-new-password"})
    with pytest.raises(Unauthorized):
        await identity.call(contract.REFRESH_SESSION, {"refreshToken": pair.refresh_token})
    with pytest.raises(Unauthorized):
        await identity.login("changer")
    await identity.login("changer", "a-brand-new-password")


async def test_update_honours_if_match_and_moves_the_etag(identity):
    member = await identity.user(None, "etagged")
    stale = etag_of(member.updated_at)
    updated = await identity.as_admin(contract.UPDATE_USER, {"id": member.id, "name": "First"}, if_match=stale)
    assert updated.name == "First" and etag_of(updated.updated_at) != stale
    with pytest.raises(PreconditionFailed):
        await identity.as_admin(contract.UPDATE_USER, {"id": member.id, "name": "Second"}, if_match=stale)
    assert (await identity.as_admin(contract.GET_USER, {"id": member.id})).name == "First"


async def test_delete_is_soft_ends_sessions_and_spares_yourself_and_the_system_user(identity):
    acme = await identity.tenant("acme")
    member = await identity.user(acme.id, "doomed")
    pair = await identity.login("doomed")
    await identity.as_admin(contract.DELETE_USER, {"id": member.id}, tenant=acme.id)
    with pytest.raises(NotFound):
        await identity.as_admin(contract.GET_USER, {"id": member.id}, tenant=acme.id)
    deleted_at = await identity.execute(sa.select(user.c.deleted_at).where(user.c.id == member.id))
    assert deleted_at.scalar_one() is not None
    with pytest.raises(Unauthorized):
        await identity.call(contract.REFRESH_SESSION, {"refreshToken": pair.refresh_token})
    (event,) = await identity.events(contract.USER_DELETED)
    assert (event["tenantid"], event["data"]) == (acme.id, {"userId": member.id, "tenantId": acme.id})

    for protected in (identity.admin_id, contract.SYSTEM_USER_ID):
        with pytest.raises(Forbidden):
            await identity.as_admin(contract.DELETE_USER, {"id": protected})


async def test_users_list_pages_sorts_filters_and_searches(identity):
    acme = await identity.tenant("acme")
    for name in ("carol", "alice", "bob"):
        await identity.user(acme.id, name)
    bob = (await identity.as_admin(contract.LIST_USERS, {"search": "BO"}, tenant=acme.id)).data[0]
    await identity.as_admin(contract.UPDATE_USER, {"id": bob.id, "status": "INACTIVE"}, tenant=acme.id)

    page = await identity.as_admin(
        contract.LIST_USERS, {"sort": "username:asc", "pageSize": 2, "page": 2}, tenant=acme.id
    )
    assert [u.username for u in page.data] == ["carol"]
    assert (page.meta.total, page.meta.total_pages) == (3, 2)
    inactive = await identity.as_admin(contract.LIST_USERS, {"status": "INACTIVE"}, tenant=acme.id)
    assert [u.username for u in inactive.data] == ["bob"]
    with pytest.raises(ValidationFailed):
        await identity.as_admin(contract.LIST_USERS, {"sort": "password:asc"}, tenant=acme.id)


async def test_roles_are_the_system_roles_with_their_permissions(identity):
    roles = await identity.as_admin(contract.LIST_ROLES, {"pageSize": 100})
    by_name = {r.name: r for r in roles.data}
    assert list(by_name) == sorted(by_name) and len(by_name) == 7
    assert {(p.permission, p.access.value) for p in by_name["USER"].permissions} == {
        ("participant:read", "own"),
        ("event:read", "any"),
    }
