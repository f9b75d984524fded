from identity_svc.domain.grants import HeldPermission, grants_of, may_hold, role_names

from plenary_contracts.access import Grant, authorize, decode_grants
from plenary_contracts.enums import PermissionAccess, RoleScope
from plenary_contracts.permissions import Permission

OWN, ANY = PermissionAccess.OWN, PermissionAccess.ANY


def test_grants_carry_the_roles_scope_and_the_assignments_event_once_each_in_a_stable_order():
    held = [
        HeldPermission("participant:read", OWN, RoleScope.TENANT, None),
        HeldPermission("participant:approve", ANY, RoleScope.EVENT, "ev1"),
        HeldPermission("participant:read", OWN, RoleScope.TENANT, None),
        HeldPermission("tenant:manage", ANY, RoleScope.GLOBAL, None),
    ]
    encoded = grants_of(held)
    assert encoded == sorted(encoded) and len(encoded) == 3
    assert set(decode_grants(",".join(encoded))) == {
        Grant("participant:read", OWN, RoleScope.TENANT),
        Grant("participant:approve", ANY, RoleScope.EVENT, "ev1"),
        Grant("tenant:manage", ANY, RoleScope.GLOBAL),
    }


def test_an_event_bound_grant_allows_its_event_only():
    grants = decode_grants(",".join(grants_of([HeldPermission("participant:approve", ANY, RoleScope.EVENT, "ev1")])))
    approve = Permission("participant", "approve")
    assert authorize(grants, approve, event_id="ev1") and not authorize(grants, approve, event_id="ev2")


def test_role_names_are_distinct_and_sorted():
    assert role_names(["VIEWER", "ADMIN", "VIEWER"]) == ["ADMIN", "VIEWER"]


def test_a_global_role_goes_only_to_a_user_without_a_tenant():
    assert may_hold(RoleScope.GLOBAL, None) and not may_hold(RoleScope.GLOBAL, "t1")
    assert may_hold(RoleScope.TENANT, "t1") and may_hold(RoleScope.EVENT, "t1")
