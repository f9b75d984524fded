"""webhooks's delivery log, re-sending and catalog operations, the delivery worker and the retention sweep."""

from plenary_contracts.catalog import webhooks as contract
from plenary_kit.service import Runtime

from ..application import deliveries
from ..application.cleanup import Retention
from ..application.worker import DeliveryWorker

RETENTION_SWEEP_SECONDS = 3600.0


def register(runtime: Runtime, worker: DeliveryWorker, retention: Retention) -> None:
    runtime.serve(contract.LIST_DELIVERIES, deliveries.list_deliveries)
    runtime.serve(contract.LIST_SUBSCRIPTION_DELIVERIES, deliveries.list_subscription_deliveries)
    runtime.serve(contract.GET_DELIVERY, deliveries.get_delivery)
    runtime.serve(contract.RESEND_DELIVERY, deliveries.resend_delivery)
    runtime.serve(contract.RESEND_DEAD_LETTERS, deliveries.resend_dead_letters)
    runtime.serve(contract.LIST_EVENT_TYPES, deliveries.list_event_types)
    runtime.serve(contract.LIST_BUS_EVENT_DELIVERIES, deliveries.list_bus_event_deliveries)

    async def start() -> None:
        worker.start()

    async def sweep() -> None:
        await retention.sweep()

    runtime.on_start(start)
    runtime.on_stop(worker.stop)
    runtime.every(RETENTION_SWEEP_SECONDS, sweep)
