"""Cloning on the bus: the request that begins a clone, the operations as callers read them, and the saga's
driver started and stopped with the process (woken by each clone begun here, and by a sweep for sagas whose
driver died)."""

from plenary_contracts.catalog import events as contract
from plenary_kit.service import Runtime

from ..application.clone_saga import CloneSaga
from ..application.cloning import Cloning


def register(runtime: Runtime, driver: CloneSaga) -> None:
    cloning = Cloning(driver.wake, driver.lease)
    runtime.serve(contract.CLONE_EVENT, cloning.clone_event)
    runtime.serve(contract.GET_CLONE_OPERATION, cloning.get_clone_operation)
    runtime.serve(contract.LIST_CLONE_OPERATIONS, cloning.list_clone_operations)
    runtime.on_start(driver.start)
    runtime.on_stop(driver.stop)
    runtime.every(driver.settings.sweep_seconds, driver.sweep)
