"""API key rules: what a key's settings may be, which states allow which change, when it expires."""

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from plenary_contracts.access import valid_key_pattern
from plenary_contracts.enums import ApiKeyStatus, RateLimitTier


@dataclass(frozen=True)
class Problem:
    """One invalid setting: where (wire field names) and why."""

    loc: tuple[str | int, ...]
    message: str


def settings_problems(
    *,
    permissions: Sequence[str] | None,
    known_permissions: Iterable[str],
    tier: RateLimitTier,
    custom_limit: int | None,
    allowed_ips: Sequence[str] | None,
    expires_at: datetime | None,
    now: datetime,
) -> list[Problem]:
    """Every problem of a key's settings at once; ``None`` for a list means it is not being changed."""
    problems: list[Problem] = []
    known = set(known_permissions)
    for i, pattern in enumerate(permissions or ()):
        if not valid_key_pattern(pattern, known):
            problems.append(Problem(("permissions", i), f"{pattern!r} names no known permission"))
    problems += tier_problems(tier, custom_limit)
    for i, text in enumerate(allowed_ips or ()):
        if not valid_ip_or_network(text):
            problems.append(Problem(("allowedIps", i), f"{text!r} is not an IP address or network"))
    if expires_at is not None and expires_at <= now:
        problems.append(Problem(("expiresAt",), "must be in the future"))
    return problems


def tier_problems(tier: RateLimitTier, custom_limit: int | None) -> list[Problem]:
    if tier is RateLimitTier.CUSTOM and custom_limit is None:
        return [Problem(("rateLimitCustom",), "a CUSTOM tier needs its own requests per minute")]
    if tier is not RateLimitTier.CUSTOM and custom_limit is not None:
        return [Problem(("rateLimitCustom",), f"only a CUSTOM tier takes its own limit, not {tier.value}")]
    return []


def valid_ip_or_network(text: str) -> bool:
    """An address, or a network written with its host bits zero (10.0.0.0/8, not 10.0.0.1/8)."""
    try:
        ipaddress.ip_network(text, strict=True)
    except ValueError:
        return False
    return True


def may_change(status: ApiKeyStatus) -> bool:
    """Update and rotate act on ACTIVE keys only."""
    return status is ApiKeyStatus.ACTIVE


def may_revoke(status: ApiKeyStatus) -> bool:
    return status is not ApiKeyStatus.REVOKED


def expiry_due(
    status: ApiKeyStatus, expires_at: datetime | None, rotation_grace_end: datetime | None, now: datetime
) -> bool:
    """The sweeper marks EXPIRED an ACTIVE or ROTATED key past its expiry, and a ROTATED one past its grace."""
    if status not in (ApiKeyStatus.ACTIVE, ApiKeyStatus.ROTATED):
        return False
    if expires_at is not None and expires_at <= now:
        return True
    return status is ApiKeyStatus.ROTATED and rotation_grace_end is not None and rotation_grace_end <= now


def may_rotate(status: ApiKeyStatus, expires_at: datetime | None, now: datetime) -> bool:
    """Rotation replaces a working key; an expired one (even before the sweeper saw it) has nothing to hand on."""
    return may_change(status) and (expires_at is None or expires_at > now)


def scope_without_event(event_ids: Sequence[str], deleted: str) -> list[str] | None:
    """A key's event scope once the event ``deleted`` is gone; None when no event is left and the key must be
    revoked: an empty scope means every event, so dropping the last one would widen the key, not narrow it."""
    remaining = [event_id for event_id in event_ids if event_id != deleted]
    return remaining or None
