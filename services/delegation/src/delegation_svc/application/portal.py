"""What a delegate does with the e-mail's link, signed in to nothing: the token is the credential. The
invite is found by the token's hash in whichever tenant holds it, then everything runs as the system in that
tenant (the portal's flag is that tenant's: off, the token is unknown).

Accepting checks in the order the domain fixes; an expired invite is made EXPIRED in a unit of work that
commits although the answer is a refusal. Registering goes through registration's one path, once per invite:
the invite's row stays locked until the participant is recorded on it, so two submissions cannot both
register."""

from collections.abc import Callable

from plenary_contracts.catalog import delegation as contract
from plenary_contracts.catalog import registration
from plenary_contracts.catalog.identity import SYSTEM_USER_ID
from plenary_contracts.enums import DelegationInviteStatus as Status
from plenary_contracts.errors import BadRequest, Conflict, NotFound, ValidationFailed
from plenary_kit import context as ctx
from plenary_kit.acting import field_error, utcnow
from plenary_kit.db import UnitOfWork

from ..adapters import invite_repository as invites
from ..adapters import quota_repository as quotas
from ..adapters.invite_repository import StoredInvite
from ..adapters.registration_client import RegistrationClient
from ..domain import invites as rules
from ..domain.invites import Answer, InviteState
from ..domain.quotas import Usage
from ..domain.tokens import token_hash
from .invites import expire
from .places import accept, announce, publish_invite

PortalOn = Callable[[str], bool]  # tenant id → FF_DELEGATION_PORTAL is on there


def _state(invite: StoredInvite) -> InviteState:
    return InviteState(invite.status, invite.expires_at)


def _acceptance(invite: StoredInvite, status: Status, *, again: bool = False) -> contract.Acceptance:
    return contract.Acceptance(
        invite_id=invite.id,
        event_id=invite.event_id,
        organization_id=invite.organization_id,
        status=status,
        already_accepted=again,
    )


class Portal:
    def __init__(self, portal_on: PortalOn, registration: RegistrationClient, new_uow: Callable[[], UnitOfWork]):
        self.portal_on = portal_on
        self.registration = registration
        self.new_uow = new_uow  # an expiry found on the way must outlive the refusal

    async def _invite(self, uow: UnitOfWork, token: str) -> StoredInvite:
        """The token's invite, locked; 404 for a token nobody issued or whose tenant has the portal off."""
        found = await invites.by_token_hash(uow.session, token_hash(token), for_update=True)
        if found is None or not self.portal_on(found.tenant_id):
            raise NotFound("no such invite")
        return found

    async def _expired(self, uow: UnitOfWork, invite: StoredInvite) -> BadRequest:
        """Persist EXPIRED (when still PENDING) in its own unit of work, then the refusal to raise."""
        await uow.rollback()  # let go of the invite so the expiry can lock it
        if invite.status is Status.PENDING:
            async with self.new_uow() as expiring:
                due = await invites.claim_overdue(expiring.session, utcnow(), invite.id)
                if due is not None:
                    await expire(expiring, due)
                    await expiring.commit()
        return BadRequest(Answer.EXPIRED.value, details={"status": Status.EXPIRED})

    async def accept(self, request: contract.InviteToken, uow: UnitOfWork) -> contract.Acceptance:
        invite = await self._invite(uow, request.token)
        with ctx.acting(tenant_id=invite.tenant_id, actor_id=SYSTEM_USER_ID):
            quota = await quotas.get(uow.session, invite.tenant_id, invite.quota_id)
            assert quota is not None  # the invite's row is locked, and cascades with its quota
            answer = rules.answer_to_accept(_state(invite), Usage(quota.used_count, quota.max_participants), utcnow())
            if answer is Answer.ALREADY_ACCEPTED:
                return _acceptance(invite, Status.ACCEPTED, again=True)
            if answer is Answer.EXPIRED:
                raise await self._expired(uow, invite)
            if answer is not Answer.ACCEPT:
                raise BadRequest(answer.value, details={"status": invite.status})
            taken = await accept(uow, invite, utcnow())
            if taken is None:  # filled up since it was read: the atomic take decides
                raise BadRequest(Answer.FULL.value, details={"status": invite.status})
            announce(uow, Usage(taken.used_count - 1, taken.max_participants), taken)
            return _acceptance(invite, Status.ACCEPTED)

    async def wait(self, request: contract.InviteToken, uow: UnitOfWork) -> contract.WaitingInvite:
        """A PENDING invite joins the organisation's waitlist; with a place free it is accepted at once."""
        invite = await self._invite(uow, request.token)
        with ctx.acting(tenant_id=invite.tenant_id, actor_id=SYSTEM_USER_ID):
            now = utcnow()
            refusal = rules.wait_refusal(_state(invite), now)
            if refusal == Answer.EXPIRED.value:
                raise await self._expired(uow, invite)
            if refusal is not None:
                raise BadRequest(refusal, details={"status": invite.status})
            taken = await accept(uow, invite, now)
            if taken is not None:
                announce(uow, Usage(taken.used_count - 1, taken.max_participants), taken)
                return contract.WaitingInvite(invite_id=invite.id, status=Status.ACCEPTED, waiting=False)
            if invite.waitlisted_at is None:
                await invites.change(uow.session, invite.id, waitlisted_at=now, updated_at=now)
                await publish_invite(uow, contract.INVITE_WAITLISTED, invite.tenant_id, invite.id)
            return contract.WaitingInvite(invite_id=invite.id, status=Status.PENDING, waiting=True)

    async def register(self, request: contract.RegisterDelegate, uow: UnitOfWork) -> contract.DelegateRegistered:
        invite = await self._invite(uow, request.token)
        with ctx.acting(tenant_id=invite.tenant_id, actor_id=SYSTEM_USER_ID):
            refusal = rules.registration_refusal(invite.status, invite.place_released_at)
            if refusal is not None:
                raise BadRequest(refusal, details={"status": invite.status})
            if invite.participant_id is not None:
                raise Conflict(
                    "this invite already registered its delegate", details={"participantId": invite.participant_id}
                )
            participant = await self._register(invite, request.delegate)
            now = utcnow()
            await invites.change(uow.session, invite.id, participant_id=participant.id, updated_at=now)
            await publish_invite(uow, contract.INVITE_REGISTERED, invite.tenant_id, invite.id)
            return contract.DelegateRegistered(
                invite_id=invite.id, participant_id=participant.id, registration_code=participant.registration_code
            )

    async def _register(self, invite: StoredInvite, details: contract.DelegateDetails) -> registration.Participant:
        """Through registration as the system in the invite's tenant, with the quota's organisation. Its field
        errors are the delegate's (``loc`` under ``delegate``); a type it does not know is one of them."""
        request = registration.RegisterParticipant(
            event_id=invite.event_id,
            participant_type_id=details.participant_type_id,
            first_name=details.first_name,
            last_name=details.last_name,
            email=details.email or invite.email,
            organization=invite.organization_id,
            job_title=details.job_title,
            nationality=details.nationality,
            extras=details.extras,
        )
        try:
            return await self.registration.register(invite.tenant_id, invite.id, request)
        except ValidationFailed as refused:
            errors = [e.model_copy(update={"loc": ["delegate", *e.loc]}) for e in refused.errors]
            raise ValidationFailed(refused.message, errors=errors, details=refused.details) from refused
        except NotFound as unknown:  # the event is the quota's: what registration does not know is the type
            problem = field_error(["delegate", "participantTypeId"], "not a participant type of this event")
            raise ValidationFailed(unknown.message, errors=[problem]) from unknown
