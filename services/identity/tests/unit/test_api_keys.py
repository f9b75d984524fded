from datetime import UTC, datetime, timedelta

from identity_svc.domain.api_keys import (
    expiry_due,
    may_change,
    may_revoke,
    may_rotate,
    scope_without_event,
    settings_problems,
    tier_problems,
    valid_ip_or_network,
)

from plenary_contracts.catalog.identity import ApiKeyCredential
from plenary_contracts.enums import ApiKeyStatus, RateLimitTier
from plenary_contracts.permissions import KNOWN_CODES
from plenary_contracts.usage import Usage, merge_usages

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
ACTIVE, ROTATED, REVOKED, EXPIRED = (
    ApiKeyStatus.ACTIVE,
    ApiKeyStatus.ROTATED,
    ApiKeyStatus.REVOKED,
    ApiKeyStatus.EXPIRED,
)


def _problems(**overrides):  # type: ignore[no-untyped-def]
    values = {
        "permissions": ["*"],
        "known_permissions": KNOWN_CODES,
        "tier": RateLimitTier.STANDARD,
        "custom_limit": None,
        "allowed_ips": [],
        "expires_at": None,
        "now": NOW,
    }
    return [p.loc for p in settings_problems(**(values | overrides))]


def test_permissions_are_exact_codes_resource_wildcards_or_everything():
    assert _problems(permissions=["*", "user:*", "participant:approve", "api-keys:manage"]) == []
    assert _problems(permissions=["user:read", "ghost:*", "user:fly"]) == [("permissions", 1), ("permissions", 2)]


def test_only_a_custom_tier_carries_its_own_limit_and_it_must():
    assert tier_problems(RateLimitTier.CUSTOM, 500) == []
    assert tier_problems(RateLimitTier.STANDARD, None) == []
    assert [p.loc for p in tier_problems(RateLimitTier.CUSTOM, None)] == [("rateLimitCustom",)]
    assert [p.loc for p in tier_problems(RateLimitTier.PREMIUM, 500)] == [("rateLimitCustom",)]


def test_allowed_ips_are_addresses_or_networks_without_host_bits():
    assert all(valid_ip_or_network(ip) for ip in ("127.0.0.1", "10.0.0.0/8", "::1", "2001:db8::/32"))
    assert not any(valid_ip_or_network(ip) for ip in ("10.0.0.1/8", "300.1.1.1", "1.2.3", "::g"))
    assert _problems(allowed_ips=["10.0.0.0/8", "nope"]) == [("allowedIps", 1)]


def test_an_expiry_must_be_in_the_future():
    assert _problems(expires_at=NOW) == [("expiresAt",)]
    assert _problems(expires_at=NOW + HOUR) == []


def test_only_active_keys_change_or_rotate_and_only_a_revoked_key_cannot_be_revoked():
    assert [may_change(s) for s in (ACTIVE, ROTATED, REVOKED, EXPIRED)] == [True, False, False, False]
    assert [may_revoke(s) for s in (ACTIVE, ROTATED, REVOKED, EXPIRED)] == [True, True, False, True]
    assert may_rotate(ACTIVE, None, NOW) and may_rotate(ACTIVE, NOW + HOUR, NOW)
    assert not may_rotate(ACTIVE, NOW, NOW) and not may_rotate(ROTATED, None, NOW)


def test_the_sweeper_expires_active_keys_past_expiry_and_rotated_keys_past_grace():
    assert expiry_due(ACTIVE, NOW, None, NOW) and not expiry_due(ACTIVE, NOW + HOUR, None, NOW)
    assert not expiry_due(ACTIVE, None, NOW - HOUR, NOW)  # a grace end means nothing to an ACTIVE key
    assert expiry_due(ROTATED, None, NOW, NOW) and not expiry_due(ROTATED, None, NOW + HOUR, NOW)
    assert expiry_due(ROTATED, NOW - HOUR, NOW + HOUR, NOW)  # expiry ends the grace early
    assert not expiry_due(REVOKED, NOW - HOUR, None, NOW) and not expiry_due(EXPIRED, NOW - HOUR, None, NOW)


def _credential(**overrides) -> ApiKeyCredential:  # type: ignore[no-untyped-def]
    values = {
        "id": "k1",
        "lookup_id": "abcdefghijklmnop",
        "tenant_id": "t1",
        "key_hash": "h",
        "permissions": ["*"],
        "rate_limit_tier": RateLimitTier.STANDARD,
        "status": ACTIVE,
        "created_by": "u1",
    }
    return ApiKeyCredential(**(values | overrides))


def test_a_credential_is_usable_while_active_and_unexpired_or_rotated_within_its_grace():
    assert _credential().usable_at(NOW)
    assert not _credential(expires_at=NOW).usable_at(NOW)
    assert _credential(status=ROTATED, rotation_grace_end=NOW + HOUR).usable_at(NOW)
    assert not _credential(status=ROTATED, rotation_grace_end=NOW).usable_at(NOW)
    assert not _credential(status=ROTATED, rotation_grace_end=NOW + HOUR, expires_at=NOW).usable_at(NOW)
    assert not _credential(status=REVOKED).usable_at(NOW) and not _credential(status=EXPIRED).usable_at(NOW)


def test_usage_lines_of_one_key_add_up_and_keep_the_latest_time_and_address():
    merged = merge_usages(
        [
            Usage("k1", 2, NOW, "10.0.0.2"),
            Usage("k2", 1, NOW, None),
            Usage("k1", 3, NOW - HOUR, "10.0.0.1"),
        ]
    )
    assert merged == [Usage("k1", 5, NOW, "10.0.0.2"), Usage("k2", 1, NOW, None)]


def test_a_deleted_event_leaves_a_key_its_other_events_or_nothing_never_an_empty_scope_that_means_all():
    assert scope_without_event(["a", "b"], "a") == ["b"]
    assert scope_without_event(["a"], "a") is None
    assert scope_without_event(["b"], "a") == ["b"]
