"""Broadcast operations, the scheduled sends' timer and the delivery job's lifecycle."""

from typing import Any

from plenary_contracts.catalog import comms as contract
from plenary_kit.db import UnitOfWork
from plenary_kit.service import Runtime

from ..application import broadcasts
from ..application.broadcasts import ScheduledSends
from ..application.delivery_job import DeliveryJob


def register(runtime: Runtime, job: DeliveryJob, scheduled: ScheduledSends, schedule_seconds: float) -> None:
    def waking(handler: Any) -> Any:
        """A send queues deliveries: the job is woken once they are committed rather than left to its next poll."""

        async def handle(request: Any, uow: UnitOfWork) -> Any:
            uow.after_commit(job.wake)
            return await handler(request, uow)

        return handle

    runtime.serve(contract.CREATE_BROADCAST, broadcasts.create_broadcast)
    runtime.serve(contract.UPDATE_BROADCAST, broadcasts.update_broadcast)
    runtime.serve(contract.SCHEDULE_BROADCAST, broadcasts.schedule_broadcast)
    runtime.serve(contract.SEND_BROADCAST, waking(broadcasts.send_broadcast))
    runtime.serve(contract.CANCEL_BROADCAST, broadcasts.cancel_broadcast)
    runtime.serve(contract.GET_BROADCAST, broadcasts.get_broadcast)
    runtime.serve(contract.LIST_BROADCASTS, broadcasts.list_broadcasts)
    runtime.serve(contract.COUNT_AUDIENCE, broadcasts.count_audience)
    runtime.serve(contract.LIST_DELIVERIES, broadcasts.list_deliveries)

    async def send_due() -> None:
        if await scheduled.run():
            job.wake()

    async def start() -> None:
        job.start()

    runtime.every(schedule_seconds, send_due)
    runtime.on_start(start)
    runtime.on_stop(job.stop)
