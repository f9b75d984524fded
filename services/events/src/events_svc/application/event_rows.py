"""The tenant's events by the list query language (saved views, integrators): rows, groups and fields.

A caller whose read grant is bound to some events sees those events only, as in the events list."""

from plenary_contracts.catalog import events as contract
from plenary_contracts.row_queries import EntityFields, FieldsQuery, GroupPage, GroupQuery, RowPage, RowQuery
from plenary_kit.acting import tenant
from plenary_kit.db import UnitOfWork

from ..adapters import event_rows as store
from .common import events_in_reach


async def rows(request: RowQuery, uow: UnitOfWork) -> RowPage:
    return await store.rows(uow.session, tenant(), events_in_reach(contract.QUERY_EVENT_ROWS.permission), request)


async def groups(request: GroupQuery, uow: UnitOfWork) -> GroupPage:
    return await store.groups(uow.session, tenant(), events_in_reach(contract.QUERY_EVENT_GROUPS.permission), request)


async def fields(request: FieldsQuery, uow: UnitOfWork) -> EntityFields:
    return store.fields()
