"""registration's waitlist on the bus: its operations, freed places from ``slots.freed``, and the offers'
timer (expiry with its cascade, the half-time reminder)."""

from plenary_contracts.catalog import registration as contract
from plenary_contracts.envelope import CloudEvent
from plenary_contracts.flags import FlagContext, FlagKey
from plenary_contracts.streams import consumer
from plenary_kit.db import UnitOfWork, drain
from plenary_kit.logging import get_logger
from plenary_kit.service import Runtime

from ..application.registrar import Registrar
from ..application.waitlist import Offers, Waitlist

log = get_logger(__name__)


def register(runtime: Runtime, registrar: Registrar) -> None:
    offers = offers_of(runtime)
    waitlist = Waitlist(registrar, offers, runtime.uow)

    runtime.serve(contract.ADD_TO_WAITLIST, waitlist.add)
    runtime.serve(contract.LIST_WAITLIST, waitlist.list_entries)
    runtime.serve(contract.WAITLIST_STATS, waitlist.stats)
    runtime.serve(contract.GET_WAITLIST_ENTRY, waitlist.get)
    runtime.serve(contract.UPDATE_WAITLIST_PRIORITY, waitlist.update_priority)
    runtime.serve(contract.WITHDRAW_FROM_WAITLIST, waitlist.withdraw)
    runtime.serve(contract.CANCEL_WAITLIST_ENTRY, waitlist.cancel)
    runtime.serve(contract.PROMOTE_FROM_WAITLIST, waitlist.promote)
    runtime.serve(contract.CONFIRM_WAITLIST_OFFER, waitlist.confirm)
    runtime.serve(contract.DECLINE_WAITLIST_OFFER, waitlist.decline)

    async def on_slots_freed(uow: UnitOfWork, event: CloudEvent, payload: contract.SlotsFreed) -> None:
        await offers.slots_freed(uow, event, payload)

    runtime.consume(consumer("registration_slot_offers"), [contract.SLOTS_FREED], on_slots_freed)

    async def timer() -> None:
        await sweep(runtime)

    runtime.every(runtime.base_settings.waitlist_timer_seconds, timer)


def offers_of(runtime: Runtime) -> Offers:
    def waitlist_on(tenant_id: str) -> bool:
        return runtime.flags.is_enabled(FlagKey.WAITLIST, FlagContext(tenant_id=tenant_id))

    return Offers(waitlist_on)


async def sweep(runtime: Runtime) -> dict[str, int]:
    """One run of the offers' timer: expire every overdue offer (each passing its place on), then remind
    those half-way to their deadline. Each item is claimed in its own unit of work, so replicas and reruns
    never act on one twice. Returns how many of each ran."""
    offers = offers_of(runtime)
    done: dict[str, int] = {}
    for name, step in (("expired", offers.expire_next), ("reminded", offers.remind_next)):
        try:
            done[name] = await drain(runtime.uow, step)
        except Exception:  # one failing kind of timer must not hold up the other
            log.exception("waitlist timer failed", sweep=name)
            done[name] = 0
    return done
