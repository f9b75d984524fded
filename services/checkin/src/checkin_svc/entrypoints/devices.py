"""Scanner operations: thin handlers over the use cases."""

from plenary_contracts.catalog import checkin as contract
from plenary_kit.service import Runtime

from ..application import devices
from ..application.devices import Devices


def register(runtime: Runtime, use_cases: Devices) -> None:
    runtime.serve(contract.PAIR_DEVICE, use_cases.pair_device)
    runtime.serve(contract.LIST_DEVICES, devices.list_devices)
    runtime.serve(contract.REVOKE_DEVICE, use_cases.revoke_device)
