from datetime import UTC, datetime, timedelta

from identity_svc.domain.sessions import RefreshToken, RefreshVerdict, hash_secret, judge_refresh

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=1)


def test_a_refresh_token_is_the_session_id_and_a_secret():
    token = RefreshToken.new("sess1")
    assert str(token).startswith("sess1.") and RefreshToken.parse(str(token)) == token
    assert token.secret_hash == hash_secret(token.secret) != token.secret
    for garbage in ("", "nodot", ".secret", "sess.", "a.b.c"):
        assert RefreshToken.parse(garbage) is None


def test_the_current_secret_rotates_and_any_other_is_a_reuse():
    current = hash_secret("current")
    kw = {"stored_hash": current, "expires_at": LATER, "revoked_at": None, "now": NOW}
    assert judge_refresh(presented_hash=current, **kw) is RefreshVerdict.ROTATE
    assert judge_refresh(presented_hash=hash_secret("older"), **kw) is RefreshVerdict.REUSED


def test_a_revoked_or_expired_session_refuses_without_judging_the_secret():
    current = hash_secret("current")
    revoked = judge_refresh(stored_hash=current, presented_hash="x", expires_at=LATER, revoked_at=NOW, now=NOW)
    expired = judge_refresh(stored_hash=current, presented_hash=current, expires_at=NOW, revoked_at=None, now=NOW)
    assert (revoked, expired) == (RefreshVerdict.REVOKED, RefreshVerdict.EXPIRED)
