"""The events service, asked over the bus whether an event (and its participant types) exists in a tenant.

Workflow keeps no copy of events: definitions are written rarely, and the owner's answer is always
current (an event created a moment ago is there, a deleted one is gone). When events does not answer,
the caller gets 503/504 rather than a reference nobody checked.
"""

from dataclasses import dataclass

from plenary_contracts.catalog import events
from plenary_contracts.errors import NotFound
from plenary_kit import context as ctx
from plenary_kit.bus.rpc import call
from plenary_kit.service import Runtime


@dataclass(frozen=True)
class KnownEvent:
    id: str
    participant_type_ids: frozenset[str]


class EventsClient:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime  # its NATS connection exists only once the runtime started

    async def event(self, tenant_id: str, event_id: str) -> KnownEvent | None:
        """The live event of the tenant with its participant types; None when events does not know it there."""
        caller = ctx.current()
        asked = ctx.Context(tenant_id=tenant_id, actor_id=caller.actor_id, correlation_id=caller.correlation_id)
        try:
            found = await call(
                self.runtime.nc,
                events.GET_EVENT,
                events.GetEvent(id=event_id, expand="participantTypes"),
                context=asked,
            )
        except NotFound:
            return None
        if found.tenant_id != tenant_id:
            return None
        return KnownEvent(found.id, frozenset(t.id for t in found.participant_types or ()))
