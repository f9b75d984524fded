"""The events service, asked over the bus for an event that registration's read model does not hold yet
(created a moment ago, its events still on their way here)."""

from plenary_contracts.catalog import events as contract
from plenary_contracts.errors import ServiceUnavailable
from plenary_kit.bus.rpc import find
from plenary_kit.logging import get_logger
from plenary_kit.service import Runtime

log = get_logger(__name__)


class EventsClient:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime  # its NATS connection exists only once the runtime started

    async def fetch_schema(self, tenant_id: str, event_id: str) -> contract.EventSchema | None:
        """The event with its participant types and fields; None when the events service does not know it."""
        assert self.runtime.nc is not None
        try:
            return await find(
                self.runtime.nc,
                contract.GET_EVENT_SCHEMA,
                contract.EventSchemaRef(event_id=event_id),
                tenant_id=tenant_id,
            )
        except ServiceUnavailable:
            # nobody can say the event exists: the read model's answer (unknown) stands
            log.warning("events service not answering; event unknown here", event_id=event_id)
            return None
