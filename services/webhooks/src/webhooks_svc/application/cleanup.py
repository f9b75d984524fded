"""What goes: a deleted tenant's rows, and finished deliveries (dead letters included) after the retention."""

from collections.abc import Callable
from datetime import timedelta

from plenary_kit.acting import utcnow
from plenary_kit.db import UnitOfWork

from ..adapters import delivery_repository as deliveries
from ..adapters import subscription_repository as subscriptions


async def tenant_deleted(uow: UnitOfWork, tenant_id: str) -> None:
    await subscriptions.purge(uow.session, tenant_id)


class Retention:
    def __init__(self, new_uow: Callable[[], UnitOfWork], days: int) -> None:
        self.new_uow = new_uow
        self.days = days

    async def sweep(self) -> int:
        """Delete finished deliveries older than the retention, a chunk per transaction; how many went."""
        gone = 0
        before = utcnow() - timedelta(days=self.days)
        while True:
            async with self.new_uow() as uow:
                count = await deliveries.purge_finished(uow.session, before)
                await uow.commit()
            gone += count
            if count == 0:
                return gone
