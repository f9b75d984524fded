"""Who may sign in, and what a refused or accepted sign-in does to the account.

Five wrong passwords in a row lock the account for fifteen minutes. A lock with an end (the automatic
one) is over once the end has passed, and the count starts again; a lock without one (set by an
administrator) lasts until someone sets the status back.
"""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from plenary_contracts.enums import UserStatus

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)


@dataclass(frozen=True)
class Account:
    status: UserStatus
    failed_logins: int = 0
    locked_until: datetime | None = None
    has_password: bool = True

    def lock_over(self, now: datetime) -> bool:
        return self.status is UserStatus.LOCKED and self.locked_until is not None and self.locked_until <= now

    def may_hold_session(self, now: datetime) -> bool:
        """A refresh keeps working through an automatic lock (it guards the password, not open
        sessions); an administrator's lock, INACTIVE and SUSPENDED end every session."""
        return self.status is UserStatus.ACTIVE or (self.status is UserStatus.LOCKED and self.locked_until is not None)


@dataclass(frozen=True)
class LoginVerdict:
    accepted: bool
    account: Account | None  # the account as it must be stored afterwards
    reason: str | None = None  # why it was refused, for the login_failed event (never for the caller)


def judge_login(account: Account | None, password_ok: bool, now: datetime) -> LoginVerdict:
    if account is None:
        return LoginVerdict(False, None, "unknown_user")
    if account.status in (UserStatus.INACTIVE, UserStatus.SUSPENDED):
        return LoginVerdict(False, account, "inactive")
    if account.status is UserStatus.LOCKED and not account.lock_over(now):
        return LoginVerdict(False, account, "locked")
    if not account.has_password:
        return LoginVerdict(False, account, "no_password")
    fresh = account if account.status is UserStatus.ACTIVE else Account(UserStatus.ACTIVE)
    if not password_ok:
        return LoginVerdict(False, after_failure(fresh, now), "bad_password")
    return LoginVerdict(True, replace(fresh, failed_logins=0, locked_until=None))


def after_failure(account: Account, now: datetime) -> Account:
    failures = account.failed_logins + 1
    if failures >= MAX_FAILED_LOGINS:
        return replace(account, status=UserStatus.LOCKED, failed_logins=failures, locked_until=now + LOCKOUT)
    return replace(account, failed_logins=failures)
