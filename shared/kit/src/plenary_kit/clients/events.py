"""The events service, asked over the bus whether an event (and its participant types) exists in a tenant.

For references written rarely (a workflow's event, the participant types a checkpoint admits), asking the owner
beats keeping a copy: its answer is always current (an event or type created a moment ago is there, a deleted
one is gone). When events does not answer, the caller gets 503/504 rather than a reference nobody checked.
"""

from dataclasses import dataclass

from plenary_contracts.catalog import events

from ..bus.rpc import find
from ..service import Runtime


@dataclass(frozen=True)
class KnownEvent:
    id: str
    participant_type_ids: frozenset[str]


class EventsClient:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime  # its NATS connection exists only once the runtime started

    async def event(self, tenant_id: str, event_id: str) -> KnownEvent | None:
        """The live event of the tenant with its participant types; None when events does not know it there."""
        found = await find(
            self.runtime.nc,
            events.GET_EVENT,
            events.GetEvent(id=event_id, expand="participantTypes"),
            tenant_id=tenant_id,
        )
        if found is None or found.tenant_id != tenant_id:
            return None
        return KnownEvent(found.id, frozenset(t.id for t in found.participant_types or ()))
