"""Invites, the organisers' side: send (a new token, its hash stored, the token sealed for comms' e-mail),
resend (a new token and expiry, PENDING only), cancel (an ACCEPTED invite's place comes back in the same
transaction), list; and the sweeper expiring PENDING invites when due."""

from collections.abc import Callable

from plenary_contracts.catalog import delegation as contract
from plenary_contracts.catalog.identity import SYSTEM_USER_ID
from plenary_contracts.enums import DelegationInviteStatus as Status
from plenary_contracts.errors import BadRequest, NotFound
from plenary_kit import context as ctx
from plenary_kit.acting import actor, tenant, utcnow
from plenary_kit.db import UnitOfWork, drain
from plenary_kit.ids import new_id
from plenary_kit.sealing import Sealer

from ..adapters import invite_repository as invites
from ..adapters.invite_repository import StoredInvite
from ..domain import invites as rules
from ..domain.tokens import new_token, token_hash
from .places import give_back, publish_invite, usage
from .quotas import quota_of_tenant


def invite_sealer(secret: str) -> Sealer:
    """What seals a token for comms: the deployment's invite secret, under the purpose both services name."""
    return Sealer(secret, contract.SEALING_PURPOSE)


async def invite_of_tenant(uow: UnitOfWork, invite_id: str, *, for_update: bool = False) -> StoredInvite:
    found = await invites.get(uow.session, tenant(), invite_id, for_update=for_update)
    if found is None:
        raise NotFound(f"invite {invite_id} not found")
    return found


async def _locked_unless(uow: UnitOfWork, invite_id: str, refusal_of: Callable[[Status], str | None]) -> StoredInvite:
    """The caller's tenant's invite, locked, unless its status refuses the change (400)."""
    found = await invite_of_tenant(uow, invite_id, for_update=True)
    refusal = refusal_of(found.status)
    if refusal is not None:
        raise BadRequest(refusal, details={"status": found.status})
    return found


async def expire(uow: UnitOfWork, invite: StoredInvite) -> None:
    """The PENDING invite past its expiry becomes EXPIRED, announced (as the system: nobody asked)."""
    with ctx.acting(tenant_id=invite.tenant_id, actor_id=SYSTEM_USER_ID):
        now = utcnow()
        await invites.change(uow.session, invite.id, status=Status.EXPIRED, updated_at=now)
        await publish_invite(uow, contract.INVITE_EXPIRED, invite.tenant_id, invite.id)


class Invites:
    def __init__(self, sealer: Sealer, new_uow: Callable[[], UnitOfWork]) -> None:
        self.sealer = sealer
        self.new_uow = new_uow  # the sweeper's: one unit of work per expired invite

    def _sent(self, uow: UnitOfWork, invite: StoredInvite, token: str) -> None:
        """``invite.sent`` carries the token sealed: only comms, holding the secret, opens it for the link."""
        sent = contract.InviteSent(invite=invite.model(), sealed_token=self.sealer.seal(token))
        uow.publish(contract.INVITE_SENT, sent, subject=invite.id)

    async def send(self, request: contract.SendInvite, uow: UnitOfWork) -> contract.Invite:
        quota = await quota_of_tenant(uow, request.quota_id)
        refusal = rules.send_refusal(usage(quota))
        if refusal is not None:
            raise BadRequest(
                refusal, details={"usedCount": quota.used_count, "maxParticipants": quota.max_participants}
            )
        now, token, invite_id = utcnow(), new_token(), new_id()
        values = {
            "id": invite_id,
            "tenant_id": quota.tenant_id,
            "quota_id": quota.id,
            "email": request.email,
            "token": token_hash(token),
            "status": Status.PENDING,
            "invited_by": actor(),
            "expires_at": rules.expiry(now, request.expires_in_days),
            "created_at": now,
            "updated_at": now,
        }
        await invites.insert_new(uow.session, values)
        stored = await invite_of_tenant(uow, invite_id)
        self._sent(uow, stored, token)
        return stored.model()

    async def resend(self, request: contract.ResendInvite, uow: UnitOfWork) -> contract.Invite:
        """A new link (the old token stops working: only its hash was kept) and a new expiry."""
        found = await _locked_unless(uow, request.id, rules.resend_refusal)
        now, token = utcnow(), new_token()
        expires_at = rules.expiry(now, request.expires_in_days)
        await invites.change(uow.session, found.id, token=token_hash(token), expires_at=expires_at, updated_at=now)
        stored = await invite_of_tenant(uow, found.id)
        self._sent(uow, stored, token)
        return stored.model()

    async def cancel(self, request: contract.InviteRef, uow: UnitOfWork) -> contract.Invite:
        found = await _locked_unless(uow, request.id, rules.cancel_refusal)
        if found.status is Status.ACCEPTED:
            await give_back(uow, found)  # in this transaction: the count drops with the cancellation
        await invites.change(uow.session, found.id, status=Status.CANCELLED, waitlisted_at=None, updated_at=utcnow())
        return (await publish_invite(uow, contract.INVITE_CANCELLED, found.tenant_id, found.id)).model()

    async def list_invites(self, request: contract.ListInvites, uow: UnitOfWork) -> contract.InvitePage:
        return await invites.page(uow.session, tenant(), request)

    # --- the sweeper ---------------------------------------------------------------------------------

    async def expire_next(self, uow: UnitOfWork) -> bool:
        """Expire one PENDING invite past its expiry; False when none is due. Claimed with SKIP LOCKED: a
        replica (or an acceptance looking at the same invite) holding it is passed over."""
        due = await invites.claim_overdue(uow.session, utcnow())
        if due is None:
            return False
        await expire(uow, due)
        return True

    async def sweep(self) -> int:
        """Every due invite expired, each in its own unit of work; how many."""
        return await drain(self.new_uow, self.expire_next)
