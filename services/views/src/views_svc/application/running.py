"""Running a saved view: the owner of its entity answers the view's list query as the caller (a kanban's
columns, a calendar's range, a page of rows), and a kanban card moves through the entity's own update path."""

from datetime import UTC, date, datetime
from typing import Any

from plenary_contracts.catalog import views as contract
from plenary_contracts.enums import ViewType
from plenary_contracts.errors import BadRequest, Conflict, ValidationFailed
from plenary_contracts.row_queries import DEFAULT_PER_GROUP, DEFAULT_ROWS, GroupQuery, RowQuery, SortKey, ViewEntity
from plenary_kit.acting import field_error, located, refuse, require_grant
from plenary_kit.db import UnitOfWork

from ..adapters.entity_client import EntityClient
from ..adapters.view_repository import ViewRecord
from ..domain.running import all_of, in_column, in_range, range_problems, selected_columns
from .saved_views import entity_of, layout_of, scope_of, visible_view


def _instant(value: date | datetime | None) -> datetime | None:
    """A range end as an instant: a date alone is midnight UTC, a time without offset is UTC (as conditions
    read them)."""
    if value is None or isinstance(value, datetime):
        return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def _stale(error: ValidationFailed) -> Exception:
    """The owner's refusal of a stored view: the fields it names that the list no longer has (a custom field
    removed) are a conflict naming them; a bad cursor points at the request's ``after``."""
    fields = error.details.get("fields") or ([error.details["field"]] if error.details.get("field") else [])
    if fields:
        names = ", ".join(repr(f) for f in fields)
        return Conflict(
            f"the view names fields its list no longer has: {names}; edit the view",
            details={"fields": fields},
        )
    if any(e.loc and e.loc[0] == "after" for e in error.errors):
        return ValidationFailed("not a cursor of this view", errors=[field_error(["query", "after"], "unknown cursor")])
    return error


class ViewRunner:
    def __init__(self, entities: EntityClient) -> None:
        self.entities = entities

    async def run(self, request: contract.RunView, uow: UnitOfWork) -> contract.ViewRows:
        view = await visible_view(uow, request.id)
        try:
            return await self._run(view, request)
        except ValidationFailed as error:
            raise _stale(error) from error

    async def _run(self, view: ViewRecord, request: contract.RunView) -> contract.ViewRows:
        operations = entity_of(view.entity_type)
        scope = scope_of(operations, view.config)
        if operations.rows.permission is not None:
            require_grant(operations.rows.permission, scope.get("event_id"))
        view_type, layout = ViewType(view.view_type), layout_of(view.view_type, view.config)
        filters: list[dict[str, Any]] = list(view.filters)
        sorts = [SortKey.model_validate(s) for s in view.sorts]
        columns = selected_columns([c["field"] for c in view.columns if c.get("visible", True)], layout)
        one_column = request.group is not None or request.empty_group
        if view_type is ViewType.KANBAN and layout.group_by is not None and not one_column:
            per_group = request.limit or DEFAULT_PER_GROUP
            selection = {**scope, "filter": all_of(filters), "sort": sorts, "columns": columns}
            board = await self.entities.groups(
                operations, GroupQuery(**selection, group_by=layout.group_by, per_group=per_group)
            )
            return contract.ViewRows(view_type=view_type, groups=board.groups, more_groups=board.more_groups)
        if view_type is ViewType.KANBAN and layout.group_by is not None:
            filters.append(in_column(layout.group_by, None if request.empty_group else request.group))
        if view_type is ViewType.CALENDAR and layout.date_field is not None:
            start, end = _instant(request.from_), _instant(request.to)
            refuse("the calendar needs a date range", located(("query",), range_problems(start, end)))
            assert start is not None and end is not None
            filters.append(in_range(layout, start.isoformat(), end.isoformat()))
            sorts = sorts or [SortKey(field=layout.date_field)]
        selection = {**scope, "filter": all_of(filters), "sort": sorts, "columns": columns}
        page = await self.entities.rows(
            operations, RowQuery(**selection, after=request.after, limit=request.limit or DEFAULT_ROWS)
        )
        return contract.ViewRows(view_type=view_type, rows=page.rows, next=page.next)

    async def move(self, request: contract.MoveCard, uow: UnitOfWork) -> contract.CardMoved:
        """Only a kanban's cards move, and only on boards whose field has an update path (a participant's status:
        the engine's action leading to the target column). The caller needs that action's permission."""
        view = await visible_view(uow, request.id)
        layout = layout_of(view.view_type, view.config)
        if layout.view_type is not ViewType.KANBAN:
            raise BadRequest("only a KANBAN view's cards move")
        moves = contract.KANBAN_MOVES.get((ViewEntity(view.entity_type), layout.group_by or ""))
        if moves is None:
            raise BadRequest(f"cards of a board grouped by {layout.group_by!r} cannot be moved")
        action = moves.get(request.to)
        if action is None:
            raise ValidationFailed(
                f"no update path leads to {request.to!r}",
                errors=[field_error(["body", "to"], f"one of: {', '.join(moves)}")],
            )
        scope = scope_of(entity_of(view.entity_type), view.config)
        if action.permission is not None:
            require_grant(action.permission, scope.get("event_id"))
        result = await self.entities.take_action(action, request.row_id, request.expected_version)
        return contract.CardMoved(row_id=request.row_id, to=request.to, result=result)
