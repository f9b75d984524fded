"""The 54 permissions (30 base ones, event:delete included; 17 of the seeds, check-in:manage, audit:read and
privacy:erase included; 7 for identity) and the seeded roles."""

from typing import NamedTuple

from .enums import PermissionAccess, RoleScope


class Permission(NamedTuple):
    resource: str
    action: str

    @property
    def code(self) -> str:
        return f"{self.resource}:{self.action}"

    @classmethod
    def parse(cls, code: str) -> "Permission":
        resource, _, action = code.partition(":")
        if not resource or not action:
            raise ValueError(f"a permission is 'resource:action', got {code!r}")
        return cls(resource, action)


_CRUD = ("create", "read", "update", "delete")

BASE_PERMISSIONS: tuple[Permission, ...] = (
    *(
        Permission("participant", a)
        for a in ("create", "read", "update", "delete", "approve", "reject", "print", "collect")
    ),
    *(Permission("workflow", a) for a in _CRUD),
    *(Permission("field", a) for a in _CRUD),
    *(Permission("form", a) for a in _CRUD),
    *(Permission("event", a) for a in _CRUD),  # delete: added for the REST DELETE /events
    *(Permission("section-template", a) for a in _CRUD),
    Permission("settings", "manage"),
    Permission("feature-flag", "manage"),
)

SEED_PERMISSIONS: tuple[Permission, ...] = (
    Permission("delegation", "manage"),
    Permission("views", "create"),
    Permission("custom-objects", "manage"),
    Permission("analytics", "view"),
    Permission("api-keys", "manage"),
    Permission("webhooks", "manage"),
    Permission("check-in", "scan"),
    # Added: what a scanner's device key holds (check-in:scan) must not let it open gates, pair more scanners
    # or read anyone's badge, so managing check-in is a permission of its own
    Permission("check-in", "manage"),
    Permission("kiosk", "manage"),
    Permission("bulk-operations", "execute"),
    Permission("duplicates", "review"),
    Permission("blacklist", "manage"),
    Permission("waitlist", "manage"),
    Permission("communication", "broadcast"),
    Permission("event-clone", "execute"),
    # Added: reading the tenant's event log and delivery traces (the auditor's log)
    Permission("audit", "read"),
    # Added: erasing a person everywhere (with participant:delete, which the handler checks too)
    Permission("privacy", "erase"),
)

# The original managed users, roles and tenants through "settings:manage"; they get their own words here.
IDENTITY_PERMISSIONS: tuple[Permission, ...] = (
    *(Permission("user", a) for a in _CRUD),
    Permission("role", "read"),
    Permission("role", "assign"),
    Permission("tenant", "manage"),
)

TENANT_MANAGE = Permission("tenant", "manage")

ALL_PERMISSIONS: tuple[Permission, ...] = BASE_PERMISSIONS + SEED_PERMISSIONS + IDENTITY_PERMISSIONS
KNOWN_CODES: frozenset[str] = frozenset(p.code for p in ALL_PERMISSIONS)


class RoleGrant(NamedTuple):
    permission: Permission
    access: PermissionAccess = PermissionAccess.ANY


class RoleSeed(NamedTuple):
    name: str
    scope: RoleScope
    grants: tuple[RoleGrant, ...]


def _grants(*codes: str, access: PermissionAccess = PermissionAccess.ANY) -> tuple[RoleGrant, ...]:
    return tuple(RoleGrant(Permission.parse(c), access) for c in codes)


_EVERYTHING = tuple(RoleGrant(p) for p in ALL_PERMISSIONS)
# A tenant's administrator manages its tenant, never the list of tenants.
_TENANT_EVERYTHING = tuple(g for g in _EVERYTHING if g.permission != TENANT_MANAGE)

SEED_ROLES: tuple[RoleSeed, ...] = (
    RoleSeed("ADMIN", RoleScope.GLOBAL, _EVERYTHING),
    RoleSeed("TENANT_ADMIN", RoleScope.TENANT, _TENANT_EVERYTHING),
    RoleSeed(
        "VALIDATOR",
        RoleScope.TENANT,
        _grants("participant:read", "participant:update", "participant:approve", "participant:reject"),
    ),
    RoleSeed("PRINTER", RoleScope.TENANT, _grants("participant:read", "participant:print")),
    RoleSeed("DISPATCHER", RoleScope.TENANT, _grants("participant:read", "participant:collect")),
    RoleSeed(
        "VIEWER",
        RoleScope.TENANT,
        _grants("participant:read", access=PermissionAccess.OWN)
        + _grants("workflow:read", "field:read", "form:read", "event:read"),
    ),
    RoleSeed(
        "USER",
        RoleScope.TENANT,
        _grants("participant:read", access=PermissionAccess.OWN) + _grants("event:read"),
    ),
)
