"""What a user may do, as the access token carries it: role names and encoded grants."""

from collections.abc import Iterable
from typing import NamedTuple

from plenary_contracts.access import Grant
from plenary_contracts.enums import PermissionAccess, RoleScope


class HeldPermission(NamedTuple):
    """One row of user_role ⨝ role ⨝ role_permission ⨝ permission."""

    permission: str
    access: PermissionAccess
    scope: RoleScope
    event_id: str | None


def grants_of(held: Iterable[HeldPermission]) -> list[str]:
    """Each distinct grant once, in a stable order (tokens stay comparable)."""
    grants = {Grant(h.permission, PermissionAccess(h.access), RoleScope(h.scope), h.event_id) for h in held}
    return sorted(g.encode() for g in grants)


def role_names(names: Iterable[str]) -> list[str]:
    return sorted(set(names))


def may_hold(scope: RoleScope, user_tenant_id: str | None) -> bool:
    """A GLOBAL role (ADMIN) belongs to users without a tenant only; a tenant's user cannot be made global."""
    return scope is not RoleScope.GLOBAL or user_tenant_id is None
