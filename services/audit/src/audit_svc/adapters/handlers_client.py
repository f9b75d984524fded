"""Which consumers of every service handled an event: their inbox rows, gathered over the bus by the kit."""

from uuid import UUID

from plenary_contracts.inbox_trace import InboxTraceReply
from plenary_contracts.services import SERVICES
from plenary_kit.bus.inbox_trace import gather_inbox_rows
from plenary_kit.service import Runtime


class HandlersClient:
    def __init__(self, runtime: Runtime, deadline: float) -> None:
        self.runtime = runtime
        self.deadline = deadline

    async def handled(self, event_id: UUID) -> list[InboxTraceReply]:
        assert self.runtime.nc is not None
        return await gather_inbox_rows(self.runtime.nc, event_id, expected=len(SERVICES), deadline=self.deadline)
