"""The owners of viewable lists, asked over the bus as the caller: their fields, rows and groups (dispatched by
the contracts' entity → operations mapping), and the update path a kanban card moves through."""

from dataclasses import replace
from typing import Any

from plenary_contracts.catalog import workflow
from plenary_contracts.operations import OperationSpec
from plenary_contracts.row_queries import (
    EntityOperations,
    FieldsQuery,
    GroupPage,
    GroupQuery,
    RowPage,
    RowQuery,
    ViewEntity,
)
from plenary_contracts.viewable import VIEWABLE
from plenary_kit import context as ctx
from plenary_kit.bus.rpc import call
from plenary_kit.service import Runtime

from ..domain.fields import EntityField


def _as_caller() -> ctx.Context:
    """The caller, without the If-Match meant for the view (it names the view's version, not a row's)."""
    return replace(ctx.current(), if_match=None)


def operations_of(entity: ViewEntity) -> EntityOperations | None:
    return VIEWABLE.get(entity)


class EntityClient:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime  # its NATS connection exists only once the runtime started

    async def _ask(self, spec: OperationSpec, request: Any) -> Any:
        return await call(self.runtime.nc, spec, request, context=_as_caller())

    async def fields(self, operations: EntityOperations, scope: dict[str, str]) -> dict[str, EntityField]:
        found = await self._ask(operations.fields, FieldsQuery(**scope))
        return {f.name: EntityField(f.name, f.type.value, f.filterable, f.sortable, f.groupable) for f in found.fields}

    async def rows(self, operations: EntityOperations, query: RowQuery) -> RowPage:
        return await self._ask(operations.rows, query)

    async def groups(self, operations: EntityOperations, query: GroupQuery) -> GroupPage:
        return await self._ask(operations.groups, query)

    async def take_action(self, spec: OperationSpec, participant_id: str, expected_version: int | None) -> Any:
        """One of the engine's actions on a participant; its reply as plain JSON."""
        request = workflow.TakeAction(participant_id=participant_id, expected_version=expected_version)
        result = await self._ask(spec, request)
        return result.model_dump(mode="json", by_alias=True)
