from plenary_contracts.enums import PermissionAccess, RoleScope
from plenary_contracts.permissions import (
    ALL_PERMISSIONS,
    BASE_PERMISSIONS,
    IDENTITY_PERMISSIONS,
    SEED_PERMISSIONS,
    SEED_ROLES,
    TENANT_MANAGE,
)


def test_30_base_17_seed_and_7_identity_permissions_make_54_distinct_ones():
    assert (len(BASE_PERMISSIONS), len(SEED_PERMISSIONS), len(IDENTITY_PERMISSIONS)) == (30, 17, 7)
    assert len({p.code for p in ALL_PERMISSIONS}) == 54


def test_admin_holds_every_permission_and_tenant_admin_all_but_tenant_management():
    roles = {r.name: r for r in SEED_ROLES}
    assert roles["ADMIN"].scope is RoleScope.GLOBAL
    assert {g.permission for g in roles["ADMIN"].grants} == set(ALL_PERMISSIONS)
    assert roles["TENANT_ADMIN"].scope is RoleScope.TENANT
    assert {g.permission for g in roles["TENANT_ADMIN"].grants} == set(ALL_PERMISSIONS) - {TENANT_MANAGE}
    for name in ("ADMIN", "TENANT_ADMIN"):
        assert {g.access for g in roles[name].grants} == {PermissionAccess.ANY}


def test_seed_permissions_go_only_to_the_two_admin_roles():
    for role in SEED_ROLES:
        if role.name not in ("ADMIN", "TENANT_ADMIN"):
            assert not {g.permission for g in role.grants} & set(SEED_PERMISSIONS), role.name


def test_viewer_reads_only_own_participants_and_any_configuration():
    viewer = {r.name: r for r in SEED_ROLES}["VIEWER"]
    grants = {g.permission.code: g.access for g in viewer.grants}
    assert grants == {
        "participant:read": PermissionAccess.OWN,
        "workflow:read": PermissionAccess.ANY,
        "field:read": PermissionAccess.ANY,
        "form:read": PermissionAccess.ANY,
        "event:read": PermissionAccess.ANY,
    }


def test_the_original_roles_are_all_seeded():
    assert [r.name for r in SEED_ROLES] == [
        "ADMIN", "TENANT_ADMIN", "VALIDATOR", "PRINTER", "DISPATCHER", "VIEWER", "USER"
    ]  # fmt: skip
