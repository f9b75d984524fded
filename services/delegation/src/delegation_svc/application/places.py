"""A quota's places: taking one, giving one back (offered first to the organisation's delegates waiting for
one), and announcing the change: ``quota.changed`` each time, ``quota.warning`` and ``quota.exhausted`` once
per upward crossing of 80 % and 100 %."""

from datetime import datetime

from plenary_contracts.catalog import delegation as contract
from plenary_contracts.enums import DelegationInviteStatus as Status
from plenary_contracts.events import EventSpec
from plenary_kit.acting import utcnow
from plenary_kit.db import UnitOfWork

from ..adapters import invite_repository as invites
from ..adapters import quota_repository as quotas
from ..adapters.invite_repository import StoredInvite
from ..adapters.quota_repository import StoredQuota
from ..domain.quotas import Level, Usage, crossed

_CROSSINGS = {Level.WARNING: contract.QUOTA_WARNING, Level.EXHAUSTED: contract.QUOTA_EXHAUSTED}


def usage(quota: StoredQuota) -> Usage:
    return Usage(quota.used_count, quota.max_participants)


def announce(uow: UnitOfWork, before: Usage | None, after: StoredQuota, *, freed: int = 0) -> None:
    changed = contract.QuotaChanged(quota=after.model(), freed=freed)
    uow.publish(contract.QUOTA_CHANGED, changed, subject=after.id)
    for level in crossed(before, usage(after)):
        uow.publish(_CROSSINGS[level], changed, subject=after.id)


async def publish_invite(uow: UnitOfWork, spec: EventSpec, tenant_id: str, invite_id: str) -> StoredInvite:
    """The invite as stored now, announced with ``spec``."""
    stored = await invites.get(uow.session, tenant_id, invite_id)
    assert stored is not None  # written in this unit of work
    uow.publish(spec, contract.InviteChanged(invite=stored.model()), subject=stored.id)
    return stored


async def accept(uow: UnitOfWork, invite: StoredInvite, now: datetime) -> StoredQuota | None:
    """The PENDING invite takes a place (None: the quota is full, nothing changed); the caller announces."""
    taken = await quotas.take_place(uow.session, invite.quota_id, now)
    if taken is None:
        return None
    await invites.change(uow.session, invite.id, status=Status.ACCEPTED, accepted_at=now, updated_at=now)
    await publish_invite(uow, contract.INVITE_ACCEPTED, invite.tenant_id, invite.id)
    return taken


async def offer_to_waiting(uow: UnitOfWork, quota: StoredQuota) -> StoredQuota:
    """Free places go to the organisation's delegates waiting for one, longest waiting first: each waiting
    invite is accepted (it takes the place) until none waits or the quota is full. The quota as left."""
    now = utcnow()
    while quota.used_count < quota.max_participants:
        waiting = await invites.first_waiting(uow.session, quota.id, now)
        if waiting is None:
            break
        taken = await accept(uow, waiting, now)
        if taken is None:
            break
        quota = taken
    return quota


async def give_back(uow: UnitOfWork, invite: StoredInvite) -> bool:
    """The ACCEPTED invite's place comes back, once (False when it already had): the quota's count drops by
    one, a delegate waiting for a place gets it, and the change is announced."""
    now = utcnow()
    if not await invites.release_place(uow.session, invite.id, now):
        return False
    freed = await quotas.give_back_place(uow.session, invite.quota_id, now)
    if freed is None:
        return True  # the count was at zero already: nothing to give back
    before = Usage(freed.used_count + 1, freed.max_participants)
    after = await offer_to_waiting(uow, freed)
    announce(uow, before, after, freed=max(usage(after).free - before.free, 0))
    return True
