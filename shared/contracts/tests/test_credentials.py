from datetime import UTC, datetime, timedelta

from plenary_contracts.catalog.identity import ApiKeyCredential
from plenary_contracts.credentials import api_key_hash, api_key_matches, new_api_key, parse_api_key
from plenary_contracts.enums import ApiKeyStatus, RateLimitTier

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


def test_a_new_key_carries_the_tenant_hint_and_a_random_lookup_id():
    raw, parsed = new_api_key("ckTenant123")
    assert raw.startswith("ak_ckTe_") and len(raw.rsplit("_", 1)[1]) == 64
    assert parsed.tenant_hint == "ckTe" and len(parsed.lookup_id) == 16
    assert parsed.display_prefix == f"ak_ckTe_{parsed.lookup_id}" and raw.startswith(parsed.display_prefix)
    assert new_api_key("ckTenant123")[1].lookup_id != parsed.lookup_id


def test_anything_not_shaped_like_a_key_does_not_parse():
    raw, _ = new_api_key("t1")
    for bad in ("", "ak_", raw[:-1], raw + "0", raw.replace("ak_", "sk_"), raw.upper()):
        assert parse_api_key(bad) is None, bad


def test_the_keyed_hash_depends_on_the_server_secret_and_matches_only_the_same_key():
    raw, _ = new_api_key("t1")
    stored = api_key_hash("secret-a", raw)
    assert api_key_matches("secret-a", raw, stored)
    assert not api_key_matches("secret-b", raw, stored)
    assert not api_key_matches("secret-a", new_api_key("t1")[0], stored)


def _credential(**overrides) -> ApiKeyCredential:  # type: ignore[no-untyped-def]
    values = dict(
        id="k1", lookup_id="l", tenant_id="t1", key_hash="h", permissions=["*"],
        rate_limit_tier=RateLimitTier.STANDARD, status=ApiKeyStatus.ACTIVE, created_by="u1",
    )  # fmt: skip
    return ApiKeyCredential(**(values | overrides))


def test_an_active_key_is_usable_until_it_expires():
    assert _credential().usable_at(NOW)
    assert _credential(expires_at=NOW + timedelta(seconds=1)).usable_at(NOW)
    assert not _credential(expires_at=NOW).usable_at(NOW)


def test_a_rotated_key_is_usable_only_inside_its_grace_period():
    rotated = ApiKeyStatus.ROTATED
    assert _credential(status=rotated, rotation_grace_end=NOW + timedelta(hours=1)).usable_at(NOW)
    assert not _credential(status=rotated, rotation_grace_end=NOW).usable_at(NOW)
    assert not _credential(status=rotated).usable_at(NOW)


def test_revoked_and_expired_keys_are_never_usable():
    assert not _credential(status=ApiKeyStatus.REVOKED).usable_at(NOW)
    assert not _credential(status=ApiKeyStatus.EXPIRED).usable_at(NOW)
