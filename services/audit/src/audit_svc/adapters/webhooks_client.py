"""Webhooks, asked over the bus for the deliveries one bus event made (only it can derive their ids)."""

from uuid import UUID

from plenary_contracts.catalog import audit as contract
from plenary_contracts.catalog import webhooks
from plenary_contracts.errors import PlenaryError
from plenary_kit.bus.rpc import call
from plenary_kit.service import Runtime


class WebhooksClient:
    def __init__(self, runtime: Runtime, timeout: float) -> None:
        self.runtime = runtime
        self.timeout = timeout

    async def deliveries_of(self, event_id: UUID) -> list[contract.TracedWebhookDelivery] | None:
        """None when webhooks did not answer (not running, too slow): the trace says so rather than fail."""
        try:
            page = await call(
                self.runtime.nc,
                webhooks.LIST_BUS_EVENT_DELIVERIES,
                webhooks.BusEventRef(bus_event_id=event_id),
                timeout=self.timeout,
            )
        except PlenaryError:
            return None
        return [
            contract.TracedWebhookDelivery.model_validate(d.model_dump(include=_TRACED, by_alias=False))
            for d in page.data
        ]


_TRACED = set(contract.TracedWebhookDelivery.model_fields)
