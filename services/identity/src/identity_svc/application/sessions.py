"""Sign-in, refresh, sign-out, and what verifies the tokens."""

from datetime import datetime, timedelta

from plenary_contracts.catalog import identity as contract
from plenary_contracts.credentials import AccessClaims
from plenary_contracts.errors import NotFound, Unauthorized
from plenary_contracts.operations import Empty
from plenary_contracts.streams import MAX_ACCESS_TOKEN_SECONDS
from plenary_kit import context as ctx
from plenary_kit.acting import utcnow
from plenary_kit.db import UnitOfWork
from plenary_kit.ids import new_id
from plenary_kit.logging import get_logger

from ..adapters import session_repository as sessions
from ..adapters import user_repository as users
from ..adapters.passwords import Passwords
from ..adapters.signing_keys import TokenSigner, key_set
from ..adapters.user_repository import UserRecord
from ..domain.accounts import judge_login
from ..domain.grants import grants_of, role_names
from ..domain.sessions import RefreshToken, RefreshVerdict, judge_refresh
from . import revocations
from .caller import publish_about

log = get_logger(__name__)

# One answer for every refused sign-in: it must not tell which part was wrong.
INVALID_CREDENTIALS = "invalid credentials"
INVALID_REFRESH = "the refresh token is not valid"


class Sessions:
    def __init__(self, passwords: Passwords, signer: TokenSigner, access_seconds: int, refresh_days: int) -> None:
        if not 0 < access_seconds <= MAX_ACCESS_TOKEN_SECONDS:
            # a revocation is kept only as long as the longest token it may have to refuse
            raise ValueError(f"access tokens may last 1 to {MAX_ACCESS_TOKEN_SECONDS} seconds, not {access_seconds}")
        self.passwords = passwords
        self.signer = signer
        self.access_seconds = access_seconds
        self.refresh_lifetime = timedelta(days=refresh_days)

    async def login(self, request: contract.Login, uow: UnitOfWork) -> contract.TokenPair:
        await self.signer.ensure()  # before the unit of work holds a connection and a row lock
        now = utcnow()
        row = await users.find_for_login(uow.session, request.identifier)
        password_ok = await self.passwords.verify(row.password_hash if row else None, request.password)
        before = users.account_of(row) if row else None
        verdict = judge_login(before, password_ok, now)
        if row is not None and verdict.account is not None and verdict.account != before:
            status_changed = before is None or verdict.account.status is not before.status
            await users.save_account(uow.session, row.id, verdict.account, changed_at=now if status_changed else None)
            if status_changed:
                await self._publish_user_updated(uow, row.id)
        if not verdict.accepted:
            failed = contract.LoginFailed(
                identifier=request.identifier, user_id=row.id if row else None, reason=verdict.reason or "refused"
            )
            publish_about(uow, contract.USER_LOGIN_FAILED, failed, tenant_id=row.tenant_id if row else None)
            await uow.commit()  # a refusal is a fact too: its count and its event stay, then we answer
            raise Unauthorized(INVALID_CREDENTIALS)
        assert row is not None
        if self.passwords.needs_rehash(row.password_hash):
            rehashed = await self.passwords.hash(request.password)
            await users.replace_password_hash(uow.session, row.id, rehashed)
        refresh = RefreshToken.new(new_id())
        context = ctx.current()
        expires_at = now + self.refresh_lifetime
        await sessions.create(
            uow.session,
            session_id=refresh.session_id,
            user_id=row.id,
            tenant_id=row.tenant_id,
            refresh_hash=refresh.secret_hash,
            expires_at=expires_at,
            now=now,
            ip=context.client_ip,
            user_agent=context.user_agent,
        )
        publish_about(
            uow,
            contract.USER_LOGGED_IN,
            contract.UserLoggedIn(user_id=row.id, tenant_id=row.tenant_id, session_id=refresh.session_id),
            tenant_id=row.tenant_id,
            actor_id=row.id,
        )
        return await self._pair(uow, row, refresh, expires_at, now)

    async def refresh_session(self, request: contract.RefreshSession, uow: UnitOfWork) -> contract.TokenPair:
        await self.signer.ensure()
        now = utcnow()
        presented = RefreshToken.parse(request.refresh_token)
        found = await sessions.get(uow.session, presented.session_id) if presented else None
        if presented is None or found is None:
            raise Unauthorized(INVALID_REFRESH)
        # The owner is locked before the session, the order every change to a user takes (the user, then
        # its sessions): a refresh never deadlocks with a suspension, and sees a role change whole or not at all.
        owner = await users.get_live(uow.session, found.user_id, for_update=True)
        row = await sessions.get_for_update(uow.session, found.id)
        if row is None:
            raise Unauthorized(INVALID_REFRESH)
        verdict = judge_refresh(
            stored_hash=row.refresh_hash,
            presented_hash=presented.secret_hash,
            expires_at=row.expires_at,
            revoked_at=row.revoked_at,
            now=now,
        )
        if verdict is RefreshVerdict.REUSED:
            log.warning("refresh token reused: session ended", session_id=row.id, user_id=row.user_id)
            await sessions.revoke(uow.session, row.id, now)
            revocations.end_session(uow, row.id, row.tenant_id, revocations.REFRESH_REUSED)
            await uow.commit()  # the session stays ended although the answer is an error
            raise Unauthorized(INVALID_REFRESH)
        if verdict is not RefreshVerdict.ROTATE:
            raise Unauthorized(INVALID_REFRESH)
        if owner is None or not users.account_of(owner).may_hold_session(now):
            raise Unauthorized(INVALID_REFRESH)
        refresh = RefreshToken.new(row.id)
        context = ctx.current()
        await sessions.rotate(uow.session, row.id, refresh.secret_hash, now, context.client_ip, context.user_agent)
        return await self._pair(uow, owner, refresh, row.expires_at, now)

    async def logout(self, request: contract.RefreshSession, uow: UnitOfWork) -> Empty:
        """Ends the session the token names; an unknown or dead token is already signed out."""
        presented = RefreshToken.parse(request.refresh_token)
        row = await sessions.get_for_update(uow.session, presented.session_id) if presented else None
        if presented is not None and row is not None:
            verdict = judge_refresh(
                stored_hash=row.refresh_hash,
                presented_hash=presented.secret_hash,
                expires_at=row.expires_at,
                revoked_at=row.revoked_at,
                now=utcnow(),
            )
            if verdict in (RefreshVerdict.ROTATE, RefreshVerdict.REUSED):
                await sessions.revoke(uow.session, row.id, utcnow())
                revocations.end_session(uow, row.id, row.tenant_id, revocations.LOGGED_OUT)
        return Empty()

    async def get_key_set(self, request: Empty, uow: UnitOfWork) -> contract.KeySet:
        await self.signer.ensure()
        return contract.KeySet(keys=await key_set(uow.session))

    async def get_current_user(self, request: Empty, uow: UnitOfWork) -> contract.User:
        actor = ctx.current().actor_id
        found = await users.read_live(uow.session, actor) if actor else None
        if found is None:
            raise NotFound("no signed-in user")
        return found

    async def _pair(
        self, uow: UnitOfWork, owner: UserRecord, refresh: RefreshToken, expires_at: datetime, now: datetime
    ) -> contract.TokenPair:
        """A fresh access token (roles and grants as they are now) with the session's refresh token.

        ``owner`` is the user as read under its lock: its token generation and roles are current."""
        names, held = await users.held_permissions(uow.session, owner.id)
        issued = int(now.timestamp())
        claims = AccessClaims(
            sub=owner.id,
            tid=owner.tenant_id,
            sid=refresh.session_id,
            roles=role_names(names),
            grants=grants_of(held),
            iat=issued,
            exp=issued + self.access_seconds,
            jti=new_id(),
            gen=owner.token_generation,
        )
        access = await self.signer.sign(claims.model_dump(by_alias=False))
        return contract.TokenPair(
            access_token=access,
            refresh_token=str(refresh),
            expires_in=self.access_seconds,
            refresh_expires_in=max(0, int((expires_at - now).total_seconds())),
        )

    async def _publish_user_updated(self, uow: UnitOfWork, user_id: str) -> None:
        found = await users.view_live(uow.session, user_id)
        assert found is not None
        changed = contract.UserChanged(user=found)
        publish_about(uow, contract.USER_UPDATED, changed, tenant_id=found.tenant_id, subject=user_id)
