"""registration's erasure of a person on the bus: the report's operations, and the driver's timer."""

from plenary_contracts.catalog import registration as contract
from plenary_kit.service import Runtime

from ..application.erasure import Erasures, ErasureTuning


def register(runtime: Runtime, erasures: Erasures, tuning: ErasureTuning) -> None:
    runtime.serve(contract.ERASE_PARTICIPANT, erasures.erase)
    runtime.serve(contract.GET_ERASURE, erasures.get)
    runtime.serve(contract.LIST_ERASURES, erasures.list)

    # Erasures a crash or a redeploy interrupted (their lease ran out) resume on whichever replica claims them.
    runtime.every(tuning.resume_every, erasures.resume)
    runtime.on_stop(erasures.stop)
