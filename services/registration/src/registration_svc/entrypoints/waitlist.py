"""registration's waitlist on the bus: its operations, freed places from ``slots.freed``, and the offers'
timer (expiry with its cascade, the half-time reminder)."""

from plenary_contracts.catalog import registration as contract
from plenary_contracts.streams import consumer
from plenary_kit.service import Runtime

from ..application.waitlist import Offers, Waitlist


def register(runtime: Runtime, waitlist: Waitlist, offers: Offers) -> None:
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

    runtime.consume(consumer("registration_slot_offers"), [contract.SLOTS_FREED], offers.slots_freed)

    async def timer() -> None:
        await offers.sweep()

    runtime.every(runtime.base_settings.waitlist_timer_seconds, timer)
