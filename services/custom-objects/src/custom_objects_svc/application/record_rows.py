"""A definition's records through the shared list query language: rows, groups (kanban) and the fields a
query may name. The definition (id or slug) is the caller's tenant's, active or not."""

from plenary_contracts.catalog import custom_objects as contract
from plenary_contracts.row_queries import EntityFields, FieldsQuery, GroupPage, GroupQuery, RowPage, RowQuery
from plenary_kit.acting import field_error, refuse
from plenary_kit.db import UnitOfWork

from ..adapters import record_rows
from .common import live_definition


async def _scoped(uow: UnitOfWork, query: RowQuery | GroupQuery | FieldsQuery) -> contract.CustomObjectDefinition:
    if query.definition_id is None:
        refuse("a records query names its custom object", [field_error(["definitionId"], "required for records")])
    return await live_definition(uow, query.definition_id)  # type: ignore[arg-type]


async def query_record_rows(request: RowQuery, uow: UnitOfWork) -> RowPage:
    return await record_rows.rows(uow.session, await _scoped(uow, request), request)


async def query_record_groups(request: GroupQuery, uow: UnitOfWork) -> GroupPage:
    return await record_rows.groups(uow.session, await _scoped(uow, request), request)


async def record_fields(request: FieldsQuery, uow: UnitOfWork) -> EntityFields:
    return record_rows.fields(await _scoped(uow, request))
