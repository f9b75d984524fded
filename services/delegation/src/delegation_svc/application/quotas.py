"""Quotas, the organisers' side: give an organisation places at an event (the event is checked with the
events service in the caller's tenant), resize (never below the places in use; places added go first to
delegates waiting for one), list with invite counts, read with invites, delete (not while it has an ACCEPTED
invite)."""

from plenary_contracts.catalog import delegation as contract
from plenary_contracts.enums import DelegationInviteStatus as Status
from plenary_contracts.errors import BadRequest, NotFound
from plenary_kit.acting import field_error, refuse, tenant, utcnow
from plenary_kit.clients.events import EventsClient
from plenary_kit.db import UnitOfWork
from plenary_kit.ids import new_id

from ..adapters import invite_repository as invites
from ..adapters import quota_repository as quotas
from ..adapters.quota_repository import StoredQuota
from ..domain.quotas import resize_problem
from .places import announce, offer_to_waiting, usage


async def quota_of_tenant(uow: UnitOfWork, quota_id: str, *, for_update: bool = False) -> StoredQuota:
    found = await quotas.get(uow.session, tenant(), quota_id, for_update=for_update)
    if found is None:
        raise NotFound(f"quota {quota_id} not found")
    return found


class Quotas:
    def __init__(self, events: EventsClient) -> None:
        self.events = events

    async def upsert(self, request: contract.UpsertQuota, uow: UnitOfWork) -> contract.Quota:
        tenant_id, now = tenant(), utcnow()
        current = await quotas.find(uow.session, tenant_id, request.event_id, request.organization_id, for_update=True)
        if current is None:
            if await self.events.event(tenant_id, request.event_id) is None:
                refuse("no such event", [field_error(["eventId"], "not an event of this tenant")])
            values = {
                "id": new_id(),
                "tenant_id": tenant_id,
                "event_id": request.event_id,
                "organization_id": request.organization_id,
                "max_participants": request.max_participants,
                "used_count": 0,
                "created_at": now,
                "updated_at": now,
            }
            created = await quotas.insert_new(uow.session, values)
            if created is None:  # a concurrent upsert created it first: resize that one
                return await self.upsert(request, uow)
            announce(uow, None, created)
            return created.model()
        if current.max_participants == request.max_participants:
            return current.model()
        problem = resize_problem(current.used_count, request.max_participants)
        if problem is not None:
            raise BadRequest(problem, details={"usedCount": current.used_count})
        resized = await quotas.resize(uow.session, current.id, request.max_participants, now)
        assert resized is not None  # locked above, and not below its count
        after = await offer_to_waiting(uow, resized)
        announce(uow, usage(current), after, freed=max(usage(after).free - usage(current).free, 0))
        return after.model()

    async def list_quotas(self, request: contract.ListQuotas, uow: UnitOfWork) -> contract.QuotaPage:
        return await quotas.page(uow.session, tenant(), request)

    async def get(self, request: contract.QuotaRef, uow: UnitOfWork) -> contract.QuotaDetail:
        found = await quota_of_tenant(uow, request.id)
        listed = await invites.of_quota(uow.session, found.id)
        return contract.QuotaDetail(**found.model().model_dump(), invites=[s.model() for s in listed])

    async def delete(self, request: contract.QuotaRef, uow: UnitOfWork) -> contract.QuotaRef:
        """Invites are locked before the quota, in the order accepting locks them, so no deadlock."""
        found = await quota_of_tenant(uow, request.id)
        listed = await invites.of_quota(uow.session, found.id, for_update=True)
        accepted = [s for s in listed if s.status is Status.ACCEPTED]
        if accepted:
            raise BadRequest(
                "the quota has ACCEPTED invites: cancel them first",
                details={"acceptedInvites": len(accepted)},
            )
        found = await quota_of_tenant(uow, request.id, for_update=True)
        await quotas.delete(uow.session, found.id)
        uow.publish(contract.QUOTA_DELETED, contract.QuotaDeleted(quota=found.model()), subject=found.id)
        return request
