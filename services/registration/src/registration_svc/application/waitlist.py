"""The waitlist: people wait for a place of a participant type, in queue order (VIP, HIGH, STANDARD,
then first come first served); freed places are offered for 48 hours; a confirmed offer registers the
person through the one registration path, so screening applies and the workflow takes them in.

Offers go to entries claimed with SKIP LOCKED, so replicas never offer one entry twice; an offer that
ends unanswered (declined, withdrawn, removed, expired) passes its place to the next person once.
"""

from collections.abc import Callable
from datetime import datetime

from plenary_contracts.catalog import registration as contract
from plenary_contracts.catalog.identity import SYSTEM_USER_ID
from plenary_contracts.enums import WaitlistStatus
from plenary_contracts.envelope import CloudEvent
from plenary_contracts.errors import BadRequest, Conflict, NotFound
from plenary_contracts.events import EventSpec
from plenary_contracts.permissions import Permission
from plenary_kit import context as ctx
from plenary_kit.acting import actor, field_error, refuse, require_grant, tenant, utcnow
from plenary_kit.db import UnitOfWork, drain
from plenary_kit.ids import new_id
from plenary_kit.logging import get_logger

from ..adapters import waitlist_repository as waitlist_store
from ..domain.waitlist import (
    STILL_ON_LIST,
    Refusal,
    answer_refusal,
    applicant_key,
    average_wait_hours,
    offer_deadline,
    success_rate,
)
from .registrar import Draft, Registrar

log = get_logger(__name__)

MANAGE = Permission("waitlist", "manage")
DECLINE_CASCADE = "decline_cascade"
EXPIRY_CASCADE = "expiry_cascade"

WaitlistOn = Callable[[str], bool]  # tenant id → FF_WAITLIST is on
Entry = waitlist_store.StoredEntry


async def _publish(uow: UnitOfWork, spec: EventSpec, entry_id: str) -> contract.WaitlistEntry:
    entry = await waitlist_store.load_entry(uow.session, entry_id)
    uow.publish(spec, contract.WaitlistChanged(entry=entry), subject=entry.id)
    return entry


class Offers:
    """Offering places to the queue, and the offers' timer: expiry (with its cascade) and the reminder."""

    def __init__(self, waitlist_on: WaitlistOn, new_uow: Callable[[], UnitOfWork]) -> None:
        self.waitlist_on = waitlist_on
        self.new_uow = new_uow  # the timer's: one unit of work per claimed offer

    async def offer(
        self,
        uow: UnitOfWork,
        tenant_id: str,
        event_id: str,
        participant_type_id: str,
        slots: int,
        *,
        triggered_by: str,
        trigger_entity_id: str | None = None,
        promoted_by: str | None = None,
        slot_available_at: datetime | None = None,
    ) -> list[contract.WaitlistEntry]:
        """The first ``slots`` waiting people in queue order each get an offer; whoever already holds a live
        offer is passed over, so nobody is offered two places."""
        if slots <= 0:
            return []
        rows = await waitlist_store.claim_promotable(uow.session, tenant_id, event_id, participant_type_id, slots)
        now = utcnow()
        deadline = offer_deadline(now)
        offered = []
        for row in rows:
            await waitlist_store.insert_promotion(
                uow.session,
                {
                    "id": new_id(),
                    "tenant_id": tenant_id,
                    "entry_id": row.id,
                    "triggered_by": triggered_by,
                    "trigger_entity_id": trigger_entity_id,
                    "promoted_by": promoted_by,
                    "slot_available_at": slot_available_at or now,
                    "promoted_at": now,
                    "deadline": deadline,
                },
            )
            await waitlist_store.update_entry(
                uow.session,
                row.id,
                promoted_at=now,
                promotion_deadline=deadline,
                reminded_at=None,
                notifications_sent=row.notifications_sent + 1,
                last_notified_at=now,
                updated_at=now,
            )
            # The event is the notification: comms tells the person, with the deadline, to confirm.
            offered.append(await _publish(uow, contract.WAITLIST_PROMOTED, row.id))
        return offered

    async def cascade(self, uow: UnitOfWork, left: Entry, cause: str) -> None:
        """The place an unanswered offer held goes to the next person in the queue (when the flag is on)."""
        if self.waitlist_on(left.tenant_id):
            await self.offer(
                uow, left.tenant_id, left.event_id, left.participant_type_id, 1,
                triggered_by=cause, trigger_entity_id=left.id,
            )  # fmt: skip

    async def slots_freed(self, uow: UnitOfWork, event: CloudEvent, freed: contract.SlotsFreed) -> None:
        """Places opened up (a participant cancelled or rejected, a quota freed): offer them in queue order."""
        if event.tenantid is None or not self.waitlist_on(event.tenantid):
            return
        await self.offer(
            uow,
            event.tenantid,
            freed.event_id,
            freed.participant_type_id,
            freed.slots,
            triggered_by=freed.reason,
            trigger_entity_id=freed.trigger_entity_id,
            slot_available_at=event.time,
        )

    async def expire_next(self, uow: UnitOfWork, entry_id: str | None = None) -> bool:
        """Expire one live offer past its deadline (the entry EXPIRED) and pass the place on; False when
        none is due. Claimed with SKIP LOCKED: a replica (or a late confirmation) expiring it skips it."""
        row = await waitlist_store.claim_overdue(uow.session, utcnow(), entry_id)
        if row is None:
            return False
        with ctx.acting(tenant_id=row.tenant_id, actor_id=SYSTEM_USER_ID):  # nobody asked for it directly
            now = utcnow()
            await waitlist_store.end_live_offer(uow.session, row.id, expired_at=now)
            await waitlist_store.update_entry(
                uow.session, row.id, status=WaitlistStatus.EXPIRED, expired_at=now, updated_at=now
            )
            await _publish(uow, contract.WAITLIST_EXPIRED, row.id)
            await self.cascade(uow, row, EXPIRY_CASCADE)
        return True

    async def remind_next(self, uow: UnitOfWork) -> bool:
        """Remind one person whose live offer is half-way to its deadline, once; False when none is due."""
        row = await waitlist_store.claim_reminder_due(uow.session, utcnow())
        if row is None:
            return False
        with ctx.acting(tenant_id=row.tenant_id, actor_id=SYSTEM_USER_ID):  # nobody asked for it directly
            now = utcnow()
            await waitlist_store.update_entry(
                uow.session,
                row.id,
                reminded_at=now,
                notifications_sent=row.notifications_sent + 1,
                last_notified_at=now,
                updated_at=now,
            )
            await _publish(uow, contract.WAITLIST_REMINDED, row.id)
        return True

    async def sweep(self) -> dict[str, int]:
        """One run of the offers' timer: expire every overdue offer (each passing its place on), then remind
        those half-way to their deadline. Each item is claimed in its own unit of work, so replicas and reruns
        never act on one twice. Returns how many of each ran."""
        done: dict[str, int] = {}
        for name, step in (("expired", self.expire_next), ("reminded", self.remind_next)):
            try:
                done[name] = await drain(self.new_uow, step)
            except Exception:  # one failing kind of timer must not hold up the other
                log.exception("waitlist timer failed", sweep=name)
                done[name] = 0
        return done


class Waitlist:
    """The waitlist's operations, as the bus serves them."""

    def __init__(self, registrar: Registrar, offers: Offers, new_uow: Callable[[], UnitOfWork]) -> None:
        self.registrar = registrar
        self.offers = offers
        self.new_uow = new_uow  # a late answer expires the offer, which must outlive the refusal

    # --- joining and leaving -----------------------------------------------------------------------

    async def add(self, request: contract.AddToWaitlist, uow: UnitOfWork) -> contract.WaitlistEntry:
        """Join the queue at its back; the person's data is checked as registering would check it. Someone
        waiting (or registered from the list) is refused; someone who left rejoins on their old entry."""
        tenant_id, details = tenant(), request.registration
        await self.registrar.check(uow, request.event_id, details)
        key = applicant_key(details.email, details.first_name, details.last_name)
        now = utcnow()
        joining = {
            "participant_type_id": details.participant_type_id,
            "priority": request.priority,
            "status": WaitlistStatus.ACTIVE,
            "registration_data": details.model_dump(mode="json"),
            "created_at": now,  # the back of the queue, for a rejoin too
            "updated_at": now,
        }
        current = await waitlist_store.find_applicant(uow.session, tenant_id, request.event_id, key)
        if current is not None and current.status in STILL_ON_LIST:
            raise Conflict(
                "this person is already on the event's waitlist",
                details={"entryId": current.id, "status": current.status},
            )
        entry_id = new_id() if current is None else current.id
        place = await waitlist_store.queue_position(
            uow.session, tenant_id, request.event_id, details.participant_type_id, request.priority, now, entry_id
        )
        if current is None:
            values = {"id": entry_id, "tenant_id": tenant_id, "event_id": request.event_id, "applicant_key": key}
            if not await waitlist_store.insert_entry(uow.session, values | joining | {"position": place}):
                raise Conflict("this person is already on the event's waitlist")
        else:
            await waitlist_store.update_entry(
                uow.session,
                entry_id,
                **joining,
                position=place,
                promoted_at=None,
                promotion_deadline=None,
                reminded_at=None,
                expired_at=None,
                withdrawn_at=None,
            )
        return await _publish(uow, contract.WAITLIST_ADDED, entry_id)

    async def withdraw(self, request: contract.WaitlistRef, uow: UnitOfWork) -> contract.WaitlistEntry:
        return await self._leave(uow, request.id, WaitlistStatus.WITHDRAWN, contract.WAITLIST_WITHDRAWN)

    async def cancel(self, request: contract.WaitlistRef, uow: UnitOfWork) -> contract.WaitlistEntry:
        return await self._leave(uow, request.id, WaitlistStatus.CANCELLED, contract.WAITLIST_CANCELLED)

    async def _leave(
        self, uow: UnitOfWork, entry_id: str, status: WaitlistStatus, spec: EventSpec
    ) -> contract.WaitlistEntry:
        """An ACTIVE entry leaves the queue; a live offer it holds is declined with it and passed on."""
        row = await self._entry(uow, entry_id, for_update=True)
        if row.status != WaitlistStatus.ACTIVE:
            raise BadRequest(f"only a waiting (ACTIVE) entry can leave the waitlist; this one is {row.status}")
        now = utcnow()
        await waitlist_store.end_live_offer(uow.session, row.id, declined_at=now)
        await waitlist_store.update_entry(uow.session, row.id, status=status, withdrawn_at=now, updated_at=now)
        left = await _publish(uow, spec, row.id)
        if row.promotion_deadline is not None:
            await self.offers.cascade(uow, row, DECLINE_CASCADE)
        return left

    async def update_priority(
        self, request: contract.UpdateWaitlistPriority, uow: UnitOfWork
    ) -> contract.WaitlistEntry:
        row = await self._entry(uow, request.id, for_update=True)
        if row.status != WaitlistStatus.ACTIVE:
            raise BadRequest(f"only a waiting (ACTIVE) entry can change priority; this one is {row.status}")
        if row.priority == request.priority:
            return await waitlist_store.load_entry(uow.session, row.id)
        await waitlist_store.update_entry(uow.session, row.id, priority=request.priority, updated_at=utcnow())
        return await _publish(uow, contract.WAITLIST_REPRIORITIZED, row.id)

    # --- offers ------------------------------------------------------------------------------------

    async def promote(self, request: contract.PromoteFromWaitlist, uow: UnitOfWork) -> contract.Promotions:
        """Offer places by hand: the acting user is the trigger."""
        tenant_id = tenant()
        schema = await self.registrar.directory.schema(uow, tenant_id, request.event_id)
        if request.participant_type_id not in {t.id for t in schema.participant_types}:
            refuse(
                "no such participant type in this event",
                [field_error(["participantTypeId"], "not a participant type of this event")],
            )
        offered = await self.offers.offer(
            uow,
            tenant_id,
            request.event_id,
            request.participant_type_id,
            request.slots,
            triggered_by=actor(),
            promoted_by=actor(),
        )
        return contract.Promotions(entries=offered)

    async def confirm(self, request: contract.WaitlistRef, uow: UnitOfWork) -> contract.Confirmation:
        """Take the offer in time: the person registers (screened; a refusal changes nothing) and the
        entry is PROMOTED. ``participant.registered`` from the registrar takes them into the workflow."""
        row = await self._answerable(uow, request.id)
        details = contract.ParticipantDetails.model_validate(row.registration_data)
        participant = await self.registrar.register_one(uow, Draft(row.event_id, details, "waitlist"))
        now = utcnow()
        await waitlist_store.end_live_offer(uow.session, row.id, confirmed_at=now)
        await waitlist_store.update_entry(
            uow.session, row.id, status=WaitlistStatus.PROMOTED, participant_id=participant.id, updated_at=now
        )
        entry = await _publish(uow, contract.WAITLIST_CONFIRMED, row.id)
        return contract.Confirmation(entry=entry, participant=participant)

    async def decline(self, request: contract.WaitlistRef, uow: UnitOfWork) -> contract.WaitlistEntry:
        """Turn the offer down: the person leaves the list and the place goes to the next one."""
        row = await self._answerable(uow, request.id)
        now = utcnow()
        await waitlist_store.end_live_offer(uow.session, row.id, declined_at=now)
        await waitlist_store.update_entry(
            uow.session, row.id, status=WaitlistStatus.WITHDRAWN, withdrawn_at=now, updated_at=now
        )
        declined = await _publish(uow, contract.WAITLIST_DECLINED, row.id)
        await self.offers.cascade(uow, row, DECLINE_CASCADE)
        return declined

    async def _answerable(self, uow: UnitOfWork, entry_id: str) -> Entry:
        """The entry, locked, when its latest offer may be answered now; 400 otherwise. An offer answered
        after its deadline is expired on the spot and refused: a late confirmation never registers."""
        row = await self._entry(uow, entry_id, for_update=True)
        offer = await waitlist_store.latest_offer_terms(uow.session, row.id, for_update=True)
        refusal = answer_refusal(WaitlistStatus(row.status), offer, utcnow())
        if refusal is Refusal.LATE:
            await uow.rollback()  # let go of the entry so the expiry can claim it, in a unit that commits
            async with self.new_uow() as expiring:
                await self.offers.expire_next(expiring, row.id)
                await expiring.commit()
        if refusal is not None:
            raise BadRequest(refusal.value, details={"status": row.status})
        return row

    # --- reading -----------------------------------------------------------------------------------

    async def get(self, request: contract.WaitlistRef, uow: UnitOfWork) -> contract.WaitlistEntry:
        row = await self._entry(uow, request.id)
        return await waitlist_store.load_entry(uow.session, row.id)

    async def list_entries(self, request: contract.ListWaitlist, uow: UnitOfWork) -> contract.WaitlistPage:
        tenant_id = tenant()
        await self.registrar.directory.schema(uow, tenant_id, request.event_id)
        found, meta = await waitlist_store.page(uow.session, tenant_id, request)
        return contract.WaitlistPage(data=found, meta=meta)

    async def stats(self, request: contract.WaitlistStatsQuery, uow: UnitOfWork) -> contract.WaitlistStats:
        tenant_id = tenant()
        await self.registrar.directory.schema(uow, tenant_id, request.event_id)
        scope = (uow.session, tenant_id, request.event_id, request.participant_type_id)
        counts = await waitlist_store.count_by_status(*scope)
        total = sum(counts.values())
        return contract.WaitlistStats(
            by_status={status.value: counts.get(status, 0) for status in WaitlistStatus},
            total=total,
            average_wait_hours=average_wait_hours(await waitlist_store.confirmed_waits(*scope)),
            promotion_success_rate=success_rate(counts.get(WaitlistStatus.PROMOTED, 0), total),
        )

    async def _entry(self, uow: UnitOfWork, entry_id: str, *, for_update: bool = False) -> Entry:
        """The caller's tenant's entry (another tenant's is not found), for a caller allowed on its event."""
        row = await waitlist_store.get_entry(uow.session, entry_id, tenant(), for_update=for_update)
        if row is None:
            raise NotFound(f"waitlist entry {entry_id} not found")
        require_grant(MANAGE, row.event_id)
        return row
