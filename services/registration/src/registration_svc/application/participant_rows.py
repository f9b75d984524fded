"""An event's participants by the list query language (saved views, integrators): rows, groups and fields.

The event must be the caller's tenant's (else 404) and the caller must read participants in it (an
event-scoped role bound to another event is refused); extras are the event's field definitions."""

from plenary_contracts.catalog.events import FieldDefinition
from plenary_contracts.permissions import Permission
from plenary_contracts.row_queries import EntityFields, FieldsQuery, GroupPage, GroupQuery, RowPage, RowQuery
from plenary_kit.acting import require_grant, tenant
from plenary_kit.db import UnitOfWork, required_scope

from ..adapters import participant_rows as store
from .directory import EventDirectory

_READ = Permission("participant", "read")


class ParticipantRows:
    def __init__(self, directory: EventDirectory) -> None:
        self.directory = directory

    async def rows(self, request: RowQuery, uow: UnitOfWork) -> RowPage:
        return await store.rows(uow.session, tenant(), await self._fields(request, uow), request)

    async def groups(self, request: GroupQuery, uow: UnitOfWork) -> GroupPage:
        return await store.groups(uow.session, tenant(), await self._fields(request, uow), request)

    async def fields(self, request: FieldsQuery, uow: UnitOfWork) -> EntityFields:
        return store.fields(await self._fields(request, uow))

    async def _fields(self, request: RowQuery | GroupQuery | FieldsQuery, uow: UnitOfWork) -> list[FieldDefinition]:
        event_id = required_scope(request, "event_id")
        require_grant(_READ, event_id)
        schema = await self.directory.schema(uow, tenant(), event_id)
        return schema.field_definitions
