from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from identity_svc.adapters.tables import session, user

from plenary_contracts.catalog import identity as contract
from plenary_contracts.enums import UserStatus
from plenary_contracts.errors import NotFound, Unauthorized


async def test_login_by_username_or_email_gives_a_token_the_published_key_set_verifies(identity):
    pair = await identity.login(contract.ADMIN_USERNAME, "admin-password-for-identity-tests")
    claims = await identity.claims(pair.access_token)
    assert (claims["sub"], claims["tid"], claims["roles"]) == (identity.admin_id, None, ["ADMIN"])
    assert "tenant:manage;any;GLOBAL;" in claims["grants"]
    assert claims["exp"] - claims["iat"] == identity.settings.access_token_seconds == pair.expires_in
    assert claims["sid"] == pair.refresh_token.split(".")[0] and claims["jti"]

    by_email = await identity.login("Admin@Plenary.Local", "admin-password-for-identity-tests")
    assert (await identity.claims(by_email.access_token))["sub"] == identity.admin_id
    logged_in = await identity.events(contract.USER_LOGGED_IN)
    assert len(logged_in) == 2 and logged_in[0]["actorid"] == identity.admin_id


async def test_a_wrong_password_and_an_unknown_user_get_the_same_refusal_and_both_are_recorded(identity):
    acme = await identity.tenant("acme")
    member = await identity.user(acme.id, "acme-member")
    with pytest.raises(Unauthorized) as wrong:
        await identity.login("acme-member", "not-the-password")
    with pytest.raises(Unauthorized) as unknown:
        await identity.login("nobody-at-all", "not-the-password")
    assert wrong.value.message == unknown.value.message == "invalid credentials"

    failed = await identity.events(contract.USER_LOGIN_FAILED)
    assert [(e["tenantid"], e["data"]["userId"], e["data"]["reason"]) for e in failed] == [
        (acme.id, member.id, "bad_password"),
        (None, None, "unknown_user"),
    ]
    count = await identity.execute(sa.select(user.c.failed_logins).where(user.c.id == member.id))
    assert count.scalar_one() == 1  # committed although the answer was an error


async def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes_even_against_the_right_one(identity):
    member = await identity.user(None, "global-member")
    for _ in range(5):
        with pytest.raises(Unauthorized):
            await identity.login("global-member", "not-the-password")
    got = await identity.as_admin(contract.GET_USER, {"id": member.id})
    assert got.status is UserStatus.LOCKED
    with pytest.raises(Unauthorized):
        await identity.login("global-member")
    assert (await identity.events(contract.USER_LOGIN_FAILED))[-1]["data"]["reason"] == "locked"

    await identity.execute(
        sa.update(user).where(user.c.id == member.id).values(locked_until=datetime.now(UTC) - timedelta(seconds=1))
    )
    await identity.login("global-member")  # the lock is over
    row = (await identity.execute(sa.select(user).where(user.c.id == member.id))).one()
    assert (row.status, row.failed_logins, row.locked_until) == (UserStatus.ACTIVE, 0, None)


async def test_refresh_rotates_the_secret_and_reusing_an_old_one_ends_the_session(identity):
    await identity.user(None, "refresher")
    first = await identity.login("refresher")
    second = await identity.call(contract.REFRESH_SESSION, {"refreshToken": first.refresh_token})
    assert second.refresh_token != first.refresh_token
    assert second.refresh_token.split(".")[0] == first.refresh_token.split(".")[0]
    assert (await identity.claims(second.access_token))["sid"] == second.refresh_token.split(".")[0]

    with pytest.raises(Unauthorized):
        await identity.call(contract.REFRESH_SESSION, {"refreshToken": first.refresh_token})
    with pytest.raises(Unauthorized):  # the reuse ended the whole session, the newest token too
        await identity.call(contract.REFRESH_SESSION, {"refreshToken": second.refresh_token})


async def test_logout_ends_the_session_and_an_unknown_token_is_signed_out_already(identity):
    await identity.user(None, "leaver")
    pair = await identity.login("leaver")
    await identity.call(contract.LOGOUT, {"refreshToken": pair.refresh_token})
    with pytest.raises(Unauthorized):
        await identity.call(contract.REFRESH_SESSION, {"refreshToken": pair.refresh_token})
    await identity.call(contract.LOGOUT, {"refreshToken": "no-such-session.secret"})
    await identity.call(contract.LOGOUT, {"refreshToken": "garbage"})


async def test_refresh_is_refused_for_an_expired_session_and_a_suspended_user(identity):
    member = await identity.user(None, "suspended")
    expiring, suspended = await identity.login("suspended"), await identity.login("suspended")
    await identity.execute(
        sa.update(session)
        .where(session.c.id == expiring.refresh_token.split(".")[0])
        .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    )
    with pytest.raises(Unauthorized):
        await identity.call(contract.REFRESH_SESSION, {"refreshToken": expiring.refresh_token})

    await identity.as_admin(contract.UPDATE_USER, {"id": member.id, "status": "SUSPENDED"})
    with pytest.raises(Unauthorized):
        await identity.call(contract.REFRESH_SESSION, {"refreshToken": suspended.refresh_token})
    with pytest.raises(Unauthorized):
        await identity.login("suspended")


async def test_the_current_user_is_the_actor_with_roles(identity):
    acme = await identity.tenant("acme")
    member = await identity.user(acme.id, "acme-validator", ("VALIDATOR",))
    me = await identity.call(contract.GET_CURRENT_USER, {}, tenant=acme.id, actor=member.id)
    assert (me.id, me.tenant_id, [r.role_name for r in me.roles]) == (member.id, acme.id, ["VALIDATOR"])
    with pytest.raises(NotFound):
        await identity.call(contract.GET_CURRENT_USER, {})


async def test_the_current_user_shows_a_role_change_a_suspension_and_a_deletion_at_once(identity):
    acme = await identity.tenant("acme")
    member = await identity.user(acme.id, "acme-changing", ("VALIDATOR",))

    async def me():  # type: ignore[no-untyped-def]
        return await identity.call(contract.GET_CURRENT_USER, {}, tenant=acme.id, actor=member.id)

    given = await identity.as_admin(
        contract.ASSIGN_ROLE, {"userId": member.id, "role": "TENANT_ADMIN", "eventId": "ev1"}, tenant=acme.id
    )
    seen = await me()
    assert seen == given  # the same user, roles in the same order (by name), as the change answered
    assert [(r.role_name, r.scope, r.event_id) for r in seen.roles] == [
        ("TENANT_ADMIN", "TENANT", "ev1"),
        ("VALIDATOR", "TENANT", None),
    ]
    await identity.as_admin(
        contract.UNASSIGN_ROLE, {"userId": member.id, "assignmentId": seen.roles[1].id}, tenant=acme.id
    )
    assert [r.role_name for r in (await me()).roles] == ["TENANT_ADMIN"]
    await identity.as_admin(contract.UPDATE_USER, {"id": member.id, "status": "SUSPENDED"}, tenant=acme.id)
    assert (await me()).status is UserStatus.SUSPENDED
    await identity.as_admin(contract.DELETE_USER, {"id": member.id}, tenant=acme.id)
    with pytest.raises(NotFound):
        await me()


async def test_the_key_set_lists_one_ed25519_key_made_by_the_seed(identity):
    keys = (await identity.call(contract.GET_KEY_SET, {})).keys
    assert len(keys) == 1
    assert {k: keys[0][k] for k in ("kty", "crv", "alg", "use")} == {
        "kty": "OKP",
        "crv": "Ed25519",
        "alg": "EdDSA",
        "use": "sig",
    }
