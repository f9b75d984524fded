"""Who may do what: role grants with scope and access, API-key permission
patterns, and ETags. Pure functions, shared by the gateway and every service.
"""

from datetime import datetime
from typing import NamedTuple

from .enums import PermissionAccess, RateLimitTier, RoleScope
from .permissions import Permission


class Grant(NamedTuple):
    """One permission a user holds through one role assignment."""

    permission: str
    access: PermissionAccess = PermissionAccess.ANY
    scope: RoleScope = RoleScope.TENANT
    event_id: str | None = None

    def encode(self) -> str:
        return f"{self.permission};{self.access.value};{self.scope.value};{self.event_id or ''}"

    @classmethod
    def decode(cls, text: str) -> "Grant":
        permission, access, scope, event_id = text.split(";")
        return cls(permission, PermissionAccess(access), RoleScope(scope), event_id or None)


def encode_grants(grants: tuple[Grant, ...] | list[Grant]) -> str:
    return ",".join(g.encode() for g in grants)


def decode_grants(text: str | None) -> tuple[Grant, ...]:
    return tuple(Grant.decode(part) for part in (text or "").split(",") if part)


def grant_allows(
    grant: Grant,
    permission: Permission,
    *,
    actor_id: str | None = None,
    event_id: str | None = None,
    owner_id: str | None = None,
) -> bool:
    if grant.permission != permission.code:
        return False
    if grant.scope is RoleScope.GLOBAL:
        return True
    own_only = grant.access is PermissionAccess.OWN
    if own_only and owner_id is not None and owner_id != actor_id:
        return False
    if grant.scope is RoleScope.EVENT and grant.event_id and event_id and grant.event_id != event_id:
        return False
    return True


def authorize(
    grants: tuple[Grant, ...] | list[Grant],
    permission: Permission,
    *,
    actor_id: str | None = None,
    event_id: str | None = None,
    owner_id: str | None = None,
) -> bool:
    """The original ``check(resource, action, {eventId?, ownerId?})``: any grant that allows it.

    GLOBAL allows; TENANT allows unless access is own and the owner is someone else; EVENT also denies
    when the role is bound to a different event. Without an owner or event the check is not narrowed.
    """
    return any(grant_allows(g, permission, actor_id=actor_id, event_id=event_id, owner_id=owner_id) for g in grants)


def key_permits(patterns: list[str] | tuple[str, ...], permission: Permission) -> bool:
    """An API key's permission list matches exactly, by ``resource:*``, or by ``*``."""
    return any(p in ("*", f"{permission.resource}:*", permission.code) for p in patterns)


def valid_key_pattern(pattern: str, known: set[str]) -> bool:
    if pattern == "*" or pattern in known:
        return True
    resource, _, action = pattern.partition(":")
    return action == "*" and any(code.startswith(resource + ":") for code in known)


def etag_of(updated_at: datetime) -> str:
    """A resource's ETag: its last change in epoch milliseconds, quoted."""
    return f'"{int(updated_at.timestamp() * 1000)}"'


def if_match_holds(if_match: str | None, current_etag: str) -> bool:
    """RFC 9110 If-Match with weak comparison: absent or ``*`` holds; otherwise any listed tag must match."""
    if if_match is None or if_match.strip() == "*":
        return True
    tags = [t.strip().removeprefix("W/") for t in if_match.split(",")]
    return current_etag.removeprefix("W/") in tags


RATE_LIMIT_WINDOW_SECONDS = 60
TIER_LIMITS: dict[RateLimitTier, int] = {
    RateLimitTier.STANDARD: 100,
    RateLimitTier.ELEVATED: 500,
    RateLimitTier.PREMIUM: 2000,
}


def requests_per_minute(tier: RateLimitTier, custom: int | None) -> int:
    """CUSTOM takes the key's own figure, falling back to STANDARD's 100."""
    if tier is RateLimitTier.CUSTOM:
        return custom or TIER_LIMITS[RateLimitTier.STANDARD]
    return TIER_LIMITS[tier]
