"""The list query language: which rows of a viewable entity, in which order, with which fields, page by page.

A saved view runs on the owner of its entity through these shapes, and integrators may send them too.

Fields
    Every viewable entity declares its fields (``EntityField``): a flat name, a label, a
    ``FieldDataType`` and whether it can be filtered, sorted or grouped on. The entity's fields query
    lists them. A field name is a flat key, the same the condition language reads: a participant's
    extras (the event's field definitions) and a custom object's fields are addressed by their bare
    key (``dietaryNeeds``), never ``extras.dietaryNeeds``. A built-in field wins over an extra of the
    same name (the fields query lists each name once).

Filters
    ``filter`` is a condition of the shared condition language (``plenary_contracts.conditions``),
    with its meaning: eq/neq and contains are case-insensitive, a DATE/DATETIME field compares as
    instants. A field the entity does not declare, or declares not filterable, is refused with 422
    naming the field (``loc`` points into the request, ``details.field`` holds the name).

Order and pages
    ``sort`` lists at most three keys; the owner appends ``id`` so the order is total. An empty sort
    is the entity's natural order (its ``defaultSort``). Nulls sort last ascending, first descending.
    Pages are keyset pages: ``after`` is the ``next`` of the previous page (an opaque cursor holding
    the last row's sort values, refused with 422 when it does not belong to the query's sort).

Rows
    A row is a dict keyed by field name holding the requested ``columns`` (every field when none),
    ``id`` always; dates and datetimes are ISO 8601 text.

Groups
    A group query (kanban) counts the matching rows per value of ``groupBy`` in one statement and
    returns the first page of each group. To page further in a group, send a row query whose filter is
    the group query's filter and ``{"type": "simple", "field": <groupBy>, "operator": "eq", "value":
    <group value>}``, with ``after`` the group's ``next``.
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from .conditions.shapes import Condition
from .enums import FieldDataType
from .errors import ErrorCode
from .fields import Id
from .model import Model
from .operations import OperationSpec
from .permissions import Permission
from .specs import Specs, route

DEFAULT_ROWS = 50
MAX_ROWS = 200
DEFAULT_PER_GROUP = 20
MAX_GROUPS = 100
MAX_SORT_KEYS = 3
MAX_COLUMNS = 200
MAX_CURSOR = 2000

FieldName = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z][A-Za-z0-9_]*$")]


class ViewEntity(StrEnum):
    """The lists a saved view can show; ``plenary_contracts.viewable`` names each one's owner operations."""

    PARTICIPANT = "participant"
    EVENT = "event"
    PROGRESS = "progress"
    RECORD = "record"


class SortKey(Model):
    field: FieldName
    direction: Literal["asc", "desc"] = "asc"


class _Scoped(Model):
    """Which list of the entity: participants and progress live in an event, records in a definition."""

    event_id: Id | None = Field(None, description="The event, for participants and progress.")
    definition_id: Id | None = Field(None, description="The custom object definition, for records.")


class _Selection(_Scoped):
    filter: Condition | None = Field(None, description="A condition on the entity's fields; none: every row.")
    sort: list[SortKey] = Field(
        default_factory=list, max_length=MAX_SORT_KEYS, description="Empty: the entity's natural order."
    )
    columns: list[FieldName] = Field(
        default_factory=list, max_length=MAX_COLUMNS, description="Fields to return; empty: all; `id` always."
    )


class RowQuery(_Selection):
    """One page of an entity's rows."""

    after: Annotated[str, StringConstraints(min_length=1, max_length=MAX_CURSOR)] | None = Field(
        None, description="The previous page's `next`; none: the first page."
    )
    limit: int = Field(DEFAULT_ROWS, ge=1, le=MAX_ROWS, description="Rows per page, at most 200.")


class RowPage(Model):
    rows: list[dict[str, Any]]
    next: str | None = Field(None, description="The cursor of the next page; none on the last page.")


class GroupQuery(_Selection):
    """Counts per value of a field, with the first rows of each group (a kanban board)."""

    group_by: FieldName
    per_group: int = Field(DEFAULT_PER_GROUP, ge=1, le=MAX_ROWS, description="Rows of each group, at most 200.")


class RowGroup(Model):
    value: Any = Field(description="The field's value shared by the group's rows (null: no value).")
    count: int
    rows: list[dict[str, Any]]
    next: str | None = Field(None, description="Cursor of the group's next page (see the module's Groups).")


class GroupPage(Model):
    groups: list[RowGroup] = Field(description="Groups by value, ascending, null last; at most 100.")
    more_groups: bool = Field(False, description="More than 100 values: the rest are left out.")


class EntityField(Model):
    name: FieldName
    label: str
    type: FieldDataType
    filterable: bool = True
    sortable: bool = True
    groupable: bool = False
    options: list[str] | None = Field(None, description="An ENUM/MULTI_ENUM field's values, in order.")


class FieldsQuery(_Scoped):
    """The fields of an entity's list (in an event or a definition when the entity needs one)."""


class EntityFields(Model):
    fields: list[EntityField]
    default_sort: list[SortKey] = Field(default_factory=list, description="The entity's natural order.")


@dataclass(frozen=True)
class EntityOperations:
    """The owner's three operations for one viewable entity, and the scope its queries need."""

    rows: OperationSpec
    groups: OperationSpec
    fields: OperationSpec
    scope: Literal["event_id", "definition_id"] | None = None

    def __post_init__(self) -> None:
        expected = (
            (self.rows, RowQuery, RowPage),
            (self.groups, GroupQuery, GroupPage),
            (self.fields, FieldsQuery, EntityFields),
        )
        for spec, request, reply in expected:
            if not (issubclass(spec.request, request) and issubclass(spec.reply, reply)):
                raise ValueError(
                    f"{spec.name}: a list query operation takes {request.__name__}, answers {reply.__name__}"
                )


def row_query_operations(
    specs: Specs, noun: str, what: str, path: str, tag: str, permission: Permission
) -> tuple[OperationSpec, OperationSpec, OperationSpec]:
    """An owner's three operations for one entity: ``query_<noun>_rows`` (``POST <path>/query``),
    ``query_<noun>_groups`` (``POST <path>/query/groups``) and ``<noun>_fields`` (``GET <path>/query/fields``;
    under ``/query`` so that no ``GET <path>/{id}`` takes it). ``what`` names the list: "an event's participants"."""
    errors = (ErrorCode.NOT_FOUND, ErrorCode.VALIDATION_ERROR)
    label = noun.replace("_", " ")
    rows = specs.query(
        f"query_{noun}_rows", RowQuery, RowPage, f"A page of {what} by the list query language.",
        errors=errors, permission=permission, http=route("POST", path + "/query", f"Query {label} rows", tag),
    )  # fmt: skip
    groups = specs.query(
        f"query_{noun}_groups", GroupQuery, GroupPage,
        f"{what[0].upper()}{what[1:]} counted per value of a field, with the first page of each group.",
        errors=errors, permission=permission, http=route("POST", path + "/query/groups", f"Group {label} rows", tag),
    )  # fmt: skip
    fields = specs.query(
        f"{noun}_fields", FieldsQuery, EntityFields, f"The fields a query of {what} can filter, sort, group and show.",
        errors=errors, permission=permission,
        http=route("GET", path + "/query/fields", f"{label.capitalize()} fields", tag),
    )  # fmt: skip
    return rows, groups, fields
