"""An event's participants' progress by the list query language (saved views, kanban boards): rows, groups,
fields. The event must be the caller's tenant's (the events service says so; else 404) and the caller must
read participants in it (an event-scoped role bound to another event is refused)."""

from plenary_contracts.errors import NotFound
from plenary_contracts.permissions import Permission
from plenary_contracts.row_queries import EntityFields, FieldsQuery, GroupPage, GroupQuery, RowPage, RowQuery
from plenary_kit.acting import require_grant, tenant
from plenary_kit.clients.events import EventsClient
from plenary_kit.db import UnitOfWork, required_scope

from ..adapters import progress_rows as store

_READ = Permission("participant", "read")


class ProgressRows:
    def __init__(self, events: EventsClient) -> None:
        self.events = events

    async def rows(self, request: RowQuery, uow: UnitOfWork) -> RowPage:
        return await store.rows(uow.session, tenant(), await self._event(request), request)

    async def groups(self, request: GroupQuery, uow: UnitOfWork) -> GroupPage:
        return await store.groups(uow.session, tenant(), await self._event(request), request)

    async def fields(self, request: FieldsQuery, uow: UnitOfWork) -> EntityFields:
        await self._event(request)
        return store.fields()

    async def _event(self, request: RowQuery | GroupQuery | FieldsQuery) -> str:
        event_id = required_scope(request, "event_id")
        require_grant(_READ, event_id)
        if await self.events.event(tenant(), event_id) is None:
            raise NotFound(f"event {event_id} not found")
        return event_id
