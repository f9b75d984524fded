"""checkin's head counts on the bus: declare zones, read them, rebuild them from the access log."""

from plenary_contracts.catalog import checkin as contract
from plenary_kit.service import Runtime

from ..application import occupancy


def register(runtime: Runtime) -> None:
    runtime.serve(contract.INITIALIZE_OCCUPANCY, occupancy.initialize)
    runtime.serve(contract.GET_OCCUPANCY, occupancy.get)
    runtime.serve(contract.REBUILD_OCCUPANCY, occupancy.rebuild_counts)
