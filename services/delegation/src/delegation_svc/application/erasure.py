"""delegation's part of erasing a person: the invites that name them (the one they registered with, and those
addressed to their e-mail at the event) lose the e-mail, the token's hash and their place in the waiting line,
and stay as rows: status, quota, participant id and times are what the quotas' counts rest on. An ACCEPTED
invite keeps its place (registration gives it back through ``slots.freed`` when the participant goes, found by
the participant id kept here); a PENDING one can never be accepted any more, so it is cancelled and announced
(``invite.cancelled``, with no e-mail left to carry).

Invite events seal the e-mail with the invite's own key (``plenary_contracts.personal``), so the keys of those
invites are destroyed: every copy of their events, in the stream and in the outbox, reads without it. Stored
replies that mention the person are deleted."""

from plenary_contracts.catalog import delegation as contract
from plenary_contracts.enums import DelegationInviteStatus as Status
from plenary_contracts.saga_parts import ErasePerson, ErasureReceipt
from plenary_kit.acting import tenant, utcnow
from plenary_kit.db import UnitOfWork
from plenary_kit.personal_keys import PersonKeysUnavailable

from ..adapters import invite_repository as invites
from .places import publish_invite

SERVICE = "delegation"


async def erase_person(request: ErasePerson, uow: UnitOfWork) -> ErasureReceipt:
    if uow.person_keys is None:
        raise PersonKeysUnavailable("erasing needs the person key store: invite events are sealed with it")
    tenant_id, now = tenant(), utcnow()
    found = await invites.of_person(uow.session, tenant_id, request.participant_id, request.event_id, request.email)
    ids = [invite.id for invite in found]
    pending = [invite.id for invite in found if invite.status is Status.PENDING]
    await invites.anonymise(uow.session, ids, now)
    await invites.cancel_all(uow.session, pending, now)
    for invite_id in pending:
        await publish_invite(uow, contract.INVITE_CANCELLED, tenant_id, invite_id)
    for invite_id in ids:
        await uow.person_keys.forget(tenant_id, invite_id)
    emails = {invite.email for invite in found} | ({request.email} if request.email else set())
    replies = await uow.forget_stored_replies(tenant_id, [request.participant_id, *emails])
    return ErasureReceipt(
        service=SERVICE, erased={"idempotency_key": replies}, anonymised={"delegation_invite": len(ids)}
    )
