from datetime import UTC, datetime

import pytest

from plenary_contracts.access import (
    Grant,
    authorize,
    decode_grants,
    encode_grants,
    etag_of,
    if_match_holds,
    key_permits,
    requests_per_minute,
    valid_key_pattern,
)
from plenary_contracts.enums import PermissionAccess, RateLimitTier, RoleScope
from plenary_contracts.permissions import KNOWN_CODES, Permission

READ = Permission("participant", "read")
OWN, ANY = PermissionAccess.OWN, PermissionAccess.ANY


def test_a_global_grant_allows_whatever_the_owner_or_event():
    grant = Grant("participant:read", OWN, RoleScope.GLOBAL)
    assert authorize([grant], READ, actor_id="u1", owner_id="u2", event_id="e9")


def test_a_tenant_grant_with_own_access_allows_only_the_owner():
    grant = Grant("participant:read", OWN, RoleScope.TENANT)
    assert authorize([grant], READ, actor_id="u1", owner_id="u1")
    assert not authorize([grant], READ, actor_id="u1", owner_id="u2")
    assert authorize([grant], READ, actor_id="u1")  # no owner known: not narrowed (the service narrows)


def test_an_event_grant_is_denied_for_another_event_and_allowed_for_its_own():
    grant = Grant("participant:read", ANY, RoleScope.EVENT, "e1")
    assert authorize([grant], READ, event_id="e1")
    assert not authorize([grant], READ, event_id="e2")
    assert authorize([grant], READ)


def test_an_event_grant_with_own_access_needs_both_the_event_and_the_owner():
    grant = Grant("participant:read", OWN, RoleScope.EVENT, "e1")
    assert not authorize([grant], READ, event_id="e1", actor_id="u1", owner_id="u2")
    assert not authorize([grant], READ, event_id="e2", actor_id="u1", owner_id="u1")


def test_any_matching_grant_is_enough_and_no_grant_denies():
    grants = [Grant("participant:read", ANY, RoleScope.EVENT, "e1"), Grant("participant:read", ANY, RoleScope.TENANT)]
    assert authorize(grants, READ, event_id="e2")
    assert not authorize([Grant("event:read")], READ)
    assert not authorize([], READ)


def test_grants_survive_their_header_encoding():
    grants = (Grant("participant:read", OWN, RoleScope.EVENT, "e1"), Grant("event:read"))
    assert decode_grants(encode_grants(grants)) == grants
    assert decode_grants(None) == () and decode_grants("") == ()


@pytest.mark.parametrize(
    ("patterns", "allowed"),
    [(["*"], True), (["participant:*"], True), (["participant:read"], True), (["participant:update"], False),
     (["event:*"], False), ([], False)],
)  # fmt: skip
def test_an_api_key_matches_exactly_by_resource_wildcard_or_star(patterns, allowed):
    assert key_permits(patterns, READ) is allowed


def test_key_patterns_must_name_known_permissions_or_resources():
    assert all(valid_key_pattern(p, KNOWN_CODES) for p in ("*", "participant:*", "api-keys:manage"))
    assert not any(valid_key_pattern(p, KNOWN_CODES) for p in ("nothing:*", "participant:fly", "participant"))


def test_the_etag_is_the_quoted_epoch_milliseconds_and_if_match_compares_weakly():
    etag = etag_of(datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC))
    assert etag == '"1767323045678"'
    assert if_match_holds(None, etag) and if_match_holds("*", etag)
    assert if_match_holds(f'"x", W/{etag}', etag)
    assert not if_match_holds('"1767323045677"', etag)


def test_tiers_give_100_500_2000_and_custom_falls_back_to_100():
    assert [
        requests_per_minute(t, None) for t in (RateLimitTier.STANDARD, RateLimitTier.ELEVATED, RateLimitTier.PREMIUM)
    ] == [100, 500, 2000]
    assert requests_per_minute(RateLimitTier.CUSTOM, 7) == 7
    assert requests_per_minute(RateLimitTier.CUSTOM, None) == 100
