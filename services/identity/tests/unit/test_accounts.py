from datetime import UTC, datetime, timedelta

from identity_svc.domain.accounts import LOCKOUT, Account, judge_login

from plenary_contracts.enums import UserStatus

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def test_the_fifth_wrong_password_in_a_row_locks_for_fifteen_minutes():
    account = Account(UserStatus.ACTIVE)
    for failures in range(1, 5):
        verdict = judge_login(account, False, NOW)
        account = verdict.account
        assert (verdict.accepted, account.status, account.failed_logins) == (False, UserStatus.ACTIVE, failures)
    locked = judge_login(account, False, NOW).account
    assert (locked.status, locked.failed_logins, locked.locked_until) == (UserStatus.LOCKED, 5, NOW + LOCKOUT)


def test_a_locked_account_refuses_even_the_right_password_until_the_lock_ends():
    locked = Account(UserStatus.LOCKED, 5, NOW + timedelta(minutes=1))
    verdict = judge_login(locked, True, NOW)
    assert (verdict.accepted, verdict.reason, verdict.account) == (False, "locked", locked)
    assert judge_login(locked, True, NOW + timedelta(minutes=1)).accepted


def test_after_a_lock_ends_the_count_starts_again():
    over = Account(UserStatus.LOCKED, 5, NOW - timedelta(seconds=1))
    once = judge_login(over, False, NOW).account
    assert (once.status, once.failed_logins, once.locked_until) == (UserStatus.ACTIVE, 1, None)


def test_an_administrators_lock_has_no_end():
    locked = Account(UserStatus.LOCKED, 0, None)
    assert judge_login(locked, True, NOW + timedelta(days=365)).reason == "locked"
    assert not locked.may_hold_session(NOW)


def test_a_success_resets_the_count():
    verdict = judge_login(Account(UserStatus.ACTIVE, 4), True, NOW)
    assert verdict.accepted and verdict.account == Account(UserStatus.ACTIVE, 0, None)


def test_inactive_suspended_unknown_and_passwordless_accounts_are_refused_without_counting():
    for status in (UserStatus.INACTIVE, UserStatus.SUSPENDED):
        account = Account(status, 2)
        verdict = judge_login(account, True, NOW)
        assert (verdict.accepted, verdict.reason, verdict.account) == (False, "inactive", account)
    assert judge_login(None, False, NOW).reason == "unknown_user"
    system = Account(UserStatus.ACTIVE, has_password=False)
    assert judge_login(system, False, NOW).account == system


def test_an_automatic_lock_keeps_open_sessions_but_inactive_and_suspended_end_them():
    assert Account(UserStatus.LOCKED, 5, NOW + LOCKOUT).may_hold_session(NOW)
    assert Account(UserStatus.ACTIVE).may_hold_session(NOW)
    assert not Account(UserStatus.INACTIVE).may_hold_session(NOW)
    assert not Account(UserStatus.SUSPENDED).may_hold_session(NOW)
