from gateway_svc.domain.verified_tokens import VerifiedTokens

NOW = 1_700_000_000.0


def test_a_verified_token_is_remembered_until_it_expires():
    tokens: VerifiedTokens[str] = VerifiedTokens(10)
    tokens.put("t1", "alice", expires_at=NOW + 60)
    assert tokens.get("t1", NOW + 59.9) == "alice"
    assert tokens.get("t1", NOW + 60) is None
    assert len(tokens) == 0


def test_only_the_exact_token_string_is_remembered():
    tokens: VerifiedTokens[str] = VerifiedTokens(10)
    tokens.put("t1", "alice", expires_at=NOW + 60)
    assert tokens.get("t1 ", NOW) is None and tokens.get("T1", NOW) is None


def test_the_least_recently_used_token_is_forgotten_first_beyond_the_bound():
    tokens: VerifiedTokens[str] = VerifiedTokens(2)
    tokens.put("t1", "alice", expires_at=NOW + 60)
    tokens.put("t2", "bob", expires_at=NOW + 60)
    assert tokens.get("t1", NOW) == "alice"  # t2 is now the least recently used
    tokens.put("t3", "carol", expires_at=NOW + 60)
    assert len(tokens) == 2
    assert tokens.get("t2", NOW) is None
    assert tokens.get("t1", NOW) == "alice" and tokens.get("t3", NOW) == "carol"


def test_no_room_remembers_nothing():
    tokens: VerifiedTokens[str] = VerifiedTokens(0)
    tokens.put("t1", "alice", expires_at=NOW + 60)
    assert tokens.get("t1", NOW) is None
