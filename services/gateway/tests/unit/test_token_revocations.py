from plenary_contracts.credentials import AccessClaims, TokenRevocation, revocation_keys


def claims(gen: int = 0, tid: str | None = "t1") -> AccessClaims:
    return AccessClaims(sub="u1", tid=tid, sid="s1", iat=1_000, exp=1_900, jti="j", gen=gen)


def test_an_ended_session_or_tenant_refuses_every_token():
    assert TokenRevocation().refuses(claims(gen=0)) and TokenRevocation().refuses(claims(gen=99))


def test_a_users_revocation_refuses_only_older_generations_whatever_second_they_were_issued_in():
    revocation = TokenRevocation(generation=3)
    assert revocation.refuses(claims(gen=2))
    assert not revocation.refuses(claims(gen=3)) and not revocation.refuses(claims(gen=4))


def test_a_token_is_looked_up_by_its_session_user_and_tenant():
    assert revocation_keys(claims()) == ["session.s1", "user.u1", "tenant.t1"]
    assert revocation_keys(claims(tid=None)) == ["session.s1", "user.u1"]


def test_a_token_issued_before_generations_existed_is_generation_zero():
    legacy = AccessClaims.model_validate({"sub": "u1", "sid": "s1", "iat": 1, "exp": 2, "jti": "j"})
    assert legacy.gen == 0 and TokenRevocation(generation=1).refuses(legacy)
