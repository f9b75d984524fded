"""checkin's kiosks on the bus: staff's operations, the kiosk's own (called with its device key), and the
stale sweep's timer."""

from plenary_contracts.catalog import checkin as contract
from plenary_kit.service import Runtime

from ..application.kiosks import AtKiosk, Kiosks, KioskSweep


def register(runtime: Runtime, kiosks: Kiosks, at_kiosk: AtKiosk, sweep: KioskSweep) -> None:
    runtime.serve(contract.REGISTER_KIOSK, kiosks.register)
    runtime.serve(contract.LIST_KIOSKS, kiosks.list_kiosks)
    runtime.serve(contract.GET_KIOSK, kiosks.get)
    runtime.serve(contract.UPDATE_KIOSK, kiosks.update)
    runtime.serve(contract.DECOMMISSION_KIOSK, kiosks.decommission)
    runtime.serve(contract.KIOSK_STATS, kiosks.stats)

    runtime.serve(contract.KIOSK_HEARTBEAT, at_kiosk.heartbeat)
    runtime.serve(contract.KIOSK_LOOKUP, at_kiosk.lookup)
    runtime.serve(contract.KIOSK_CHECK_IN, at_kiosk.check_in)
    runtime.serve(contract.KIOSK_JOIN_QUEUE, at_kiosk.join_queue)
    runtime.serve(contract.START_KIOSK_SESSION, at_kiosk.start_session)
    runtime.serve(contract.END_KIOSK_SESSION, at_kiosk.end_session)

    async def stale_sweep() -> None:
        await sweep.sweep()

    runtime.every(runtime.base_settings.kiosk_sweep_seconds, stale_sweep)
