"""List queries (``plenary_contracts.row_queries``) in SQL: one translator every owner of a viewable entity uses.

An owner declares its entity's fields once, as a ``RowSource`` (each ``RowField`` a typed column or a
key of a JSONB column, such as a participant's extras), and hands it a base ``select`` holding only
its FROM and the scope (tenant, event): ``fetch_rows`` and ``fetch_groups`` add the filter, the order,
the keyset and the columns, and read the page. Field names are checked against the declared fields
(an unknown one is a 422 naming it); every value travels as a bound parameter.
"""

import base64
import binascii
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from plenary_contracts.conditions import condition_problems
from plenary_contracts.enums import FieldDataType
from plenary_contracts.errors import FieldError, ValidationFailed
from plenary_contracts.row_queries import (
    MAX_GROUPS,
    EntityField,
    EntityFields,
    FieldsQuery,
    GroupPage,
    GroupQuery,
    RowGroup,
    RowPage,
    RowQuery,
    SortKey,
)

from .row_predicates import KIND_OF, OPERATOR_SQL, Kind, Predicate, Storage

_VALUELESS = ("empty", "notEmpty")
_Problem = tuple[list[str | int], str, str | None]  # where, what, and the unknown field's name if that is it


@dataclass(frozen=True)
class RowField:
    """One field of a viewable entity: its wire name, label and type, and where its value lives."""

    name: str
    label: str
    type: FieldDataType
    storage: Storage
    filterable: bool = True
    sortable: bool = True
    groupable: bool = False

    @classmethod
    def column(cls, name: str, label: str, type: FieldDataType, column: sa.ColumnElement[Any], **kw: Any) -> "RowField":
        """A field held by a typed column (text, numeric, boolean, date, timestamptz, text[]); ``lowercase``:
        the column holds lowercase text only (ids), so eq/in compare it as is and its index serves them."""
        options, lowercase = tuple(kw.pop("options", ())), kw.pop("lowercase", False)
        return cls(name, label, type, Storage(KIND_OF[type], column, options=options, lowercase=lowercase), **kw)

    @classmethod
    def json(
        cls, name: str, label: str, type: FieldDataType, column: sa.ColumnElement[Any], key: str, **kw: Any
    ) -> "RowField":
        """A field held under ``key`` of a JSONB column (an extra, a custom field)."""
        options = tuple(kw.pop("options", ()))
        return cls(name, label, type, Storage(KIND_OF[type], column, key=key, options=options), **kw)

    def describe(self) -> EntityField:
        return EntityField(
            name=self.name,
            label=self.label,
            type=self.type,
            filterable=self.filterable,
            sortable=self.sortable and self.storage.kind not in (Kind.LIST, Kind.JSON),
            groupable=self.groupable,
            options=list(self.storage.options) or None,
        )


class RowSource:
    """An entity's declared fields, its id and its natural order: what a list query may name."""

    def __init__(
        self, fields: Iterable[RowField], id_column: sa.ColumnElement[Any], default_sort: Sequence[SortKey]
    ) -> None:
        self.fields: dict[str, RowField] = {}
        for row_field in fields:
            self.fields.setdefault(row_field.name, row_field)  # the first declared wins (built-ins before extras)
        self.id_column = id_column
        self.default_sort = list(default_sort)
        self.field_types = {name: f.type.value for name, f in self.fields.items()}

    def describe(self) -> EntityFields:
        return EntityFields(fields=[f.describe() for f in self.fields.values()], default_sort=self.default_sort)

    # --- checking ------------------------------------------------------------------------------------

    def check(self, query: RowQuery | GroupQuery) -> None:
        """Raise a 422 naming every unknown or unusable field (and any malformed condition)."""
        problems = [*self._filter_problems(query.filter), *self._sort_problems(query.sort)]
        problems += [
            (["columns", i], f"unknown field {name!r}", name)
            for i, name in enumerate(query.columns)
            if name not in self.fields and name != "id"
        ]
        if isinstance(query, GroupQuery):
            problems += self._group_problems(query.group_by)
        if problems:
            unknown = [name for _, _, name in problems if name is not None]
            raise ValidationFailed(
                f"unknown field {unknown[0]!r}" if unknown else problems[0][1],
                errors=[FieldError(loc=loc, msg=msg, type="value_error") for loc, msg, _ in problems],
                details={"field": unknown[0], "fields": unknown} if unknown else {},
            )

    def _filter_problems(self, condition: Mapping[str, Any] | None) -> list[_Problem]:
        problems: list[_Problem] = [
            (["filter", *path], message, None) for path, message in condition_problems(condition, self.field_types)
        ]
        for path, node in _simple_nodes(condition):
            name = node.get("field")
            row_field = self.fields.get(name) if isinstance(name, str) else None
            if row_field is None:
                problems.append(([*path, "field"], f"unknown field {name!r}", str(name)))
            elif not row_field.filterable:
                problems.append(([*path, "field"], f"cannot filter on {name!r}", None))
            elif row_field.storage.kind is Kind.JSON and node.get("operator") not in _VALUELESS:
                problems.append(([*path, "operator"], "a JSON field only takes empty or notEmpty", None))
        return problems

    def _sort_problems(self, sort: Sequence[SortKey]) -> list[_Problem]:
        problems: list[_Problem] = []
        for index, key in enumerate(sort):
            row_field = self.fields.get(key.field)
            if key.field != "id" and row_field is None:
                problems.append((["sort", index, "field"], f"unknown field {key.field!r}", key.field))
            elif row_field is not None and not row_field.describe().sortable:
                problems.append((["sort", index, "field"], f"cannot sort on {key.field!r}", None))
        return problems

    def _group_problems(self, name: str) -> list[_Problem]:
        row_field = self.fields.get(name)
        if row_field is None:
            return [(["groupBy"], f"unknown field {name!r}", name)]
        if not row_field.groupable or row_field.storage.kind in (Kind.LIST, Kind.JSON):
            return [(["groupBy"], f"cannot group on {name!r}", None)]
        return []

    # --- translating ---------------------------------------------------------------------------------

    def where(self, condition: Mapping[str, Any] | None) -> Predicate:
        """The SQL of a checked condition (``check`` first: an unknown field here is a KeyError)."""
        if condition is None:
            return sa.true()
        if condition.get("type") == "compound":
            children = [self.where(child) for child in condition.get("conditions") or ()]
            if not children:
                return sa.true()
            return sa.and_(*children) if condition.get("operator") == "and" else sa.or_(*children)
        storage = self.fields[condition["field"]].storage
        return OPERATOR_SQL[condition["operator"]](storage, condition.get("value"))

    def order(self, sort: Sequence[SortKey]) -> list[tuple[str, sa.ColumnElement[Any], bool]]:
        """The sort keys as (name, value expression, descending), ending with the id (which ends any sort)."""
        order: list[tuple[str, sa.ColumnElement[Any], bool]] = []
        for key in sort or self.default_sort:
            if key.field == "id":
                return [*order, ("id", self.id_column, key.direction == "desc")]
            order.append((key.field, self.fields[key.field].storage.sort_value, key.direction == "desc"))
        return [*order, ("id", self.id_column, order[-1][2] if order else False)]

    def selected(self, columns: Sequence[str]) -> list[RowField]:
        names = [n for n in columns if n != "id"] or list(self.fields)
        return [self.fields[n] for n in dict.fromkeys(names)]


def _simple_nodes(condition: Any, path: tuple[str | int, ...] = ("filter",)) -> Iterable[tuple[list[Any], Any]]:
    if not isinstance(condition, Mapping):
        return
    if condition.get("type") == "compound":
        for index, child in enumerate(condition.get("conditions") or ()):
            yield from _simple_nodes(child, (*path, "conditions", index))
    elif condition.get("type") == "simple":
        yield list(path), condition


def sort_index_sql(row_field: RowField) -> str:
    """What rows sort by on ``row_field`` as SQL for an expression index, ``CREATE INDEX … ON t (scope…,
    (<this>), id)``, which then serves its pages, first and deep. A JSONB DATETIME's value casts to timestamptz
    (not immutable): no index can hold it."""
    compiled = row_field.storage.sort_value.compile(
        dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True, "include_table": False}
    )
    return str(compiled)


def required_scope(query: RowQuery | GroupQuery | FieldsQuery, name: str) -> str:
    """The scope the entity's queries need (``event_id``, ``definition_id``); a 422 when it is missing."""
    value = getattr(query, name)
    if value is None:
        wire = query.model_fields[name].alias or name
        raise ValidationFailed(f"{wire} is required", errors=[FieldError(loc=[wire], msg="required", type="missing")])
    return str(value)


# --- order, keyset and cursors ------------------------------------------------------------------------


def _order_by(order: Sequence[tuple[str, sa.ColumnElement[Any], bool]]) -> list[sa.ColumnElement[Any]]:
    # Nulls are the largest value: last ascending, first descending (PostgreSQL's default, so indexes serve).
    return [value.desc() if descending else value.asc() for _, value, descending in order]


def _after(order: Sequence[tuple[str, sa.ColumnElement[Any], bool]], last: Sequence[Any]) -> Predicate:
    """Rows strictly after the row whose sort values are ``last``, in ``order`` (nulls the largest value)."""
    if all(v is not None for v in last) and len({d for _, _, d in order}) == 1:
        # One direction, no null to pass: a row comparison, which a btree index on the keys serves as a range.
        # A null key reads NULL there: right descending (nulls came first), added back ascending (they come last).
        row = sa.tuple_(*(value for _, value, _ in order))
        bound = sa.tuple_(*(_bound(value, v) for (_, value, _), v in zip(order, last, strict=True)))
        if order[0][2]:
            return row < bound
        nulls_after = [
            sa.and_(*_equal(order[:index], last[:index]), value.is_(None))
            for index, (_, value, _) in enumerate(order)
            if not _never_null(value)
        ]
        return sa.or_(row > bound, *nulls_after)
    branches: list[Predicate] = []
    for index, ((_, value, descending), wanted) in enumerate(zip(order, last, strict=True)):
        if wanted is None:
            beyond = value.is_not(None) if descending else sa.false()
        elif descending:
            beyond = value < _bound(value, wanted)
        else:
            beyond = sa.or_(value > _bound(value, wanted), value.is_(None))
        branches.append(sa.and_(*_equal(order[:index], last[:index]), beyond))
    return sa.or_(*branches)


def _equal(order: Sequence[tuple[str, sa.ColumnElement[Any], bool]], values: Sequence[Any]) -> list[Predicate]:
    return [
        value.is_(None) if v is None else value == _bound(value, v)
        for (_, value, _), v in zip(order, values, strict=True)
    ]


def _bound(value: sa.ColumnElement[Any], wanted: Any) -> sa.BindParameter[Any]:
    return sa.bindparam(None, wanted, type_=value.type)


def _never_null(value: sa.ColumnElement[Any]) -> bool:
    return isinstance(value, sa.Column) and not value.nullable


def _fingerprint(order: Sequence[tuple[str, sa.ColumnElement[Any], bool]]) -> str:
    spelled = ",".join(f"{name}:{'desc' if descending else 'asc'}" for name, _, descending in order)
    return hashlib.sha256(spelled.encode()).hexdigest()[:12]


def _encode_cursor(order: Sequence[tuple[str, sa.ColumnElement[Any], bool]], values: Sequence[Any]) -> str:
    payload = {"s": _fingerprint(order), "v": [_tagged(v) for v in values]}
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode_cursor(order: Sequence[tuple[str, sa.ColumnElement[Any], bool]], cursor: str) -> list[Any]:
    try:
        payload = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(payload, dict) or payload.get("s") != _fingerprint(order):
            raise ValueError("another query's cursor")
        values = payload["v"]
        if not isinstance(values, list) or len(values) != len(order) or values[-1] is None:
            raise ValueError("not this query's cursor")
        return [_untagged(v) for v in values]
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError) as error:
        raise ValidationFailed(
            "the cursor does not belong to this query",
            errors=[
                FieldError(loc=["after"], msg="pass the `next` of the previous page, unchanged", type="value_error")
            ],
        ) from error


def _tagged(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"n": str(value)}
    return value


def _untagged(value: Any) -> Any:
    if isinstance(value, dict):
        ((tag, text),) = value.items()
        if not isinstance(text, str):
            raise ValueError("a tagged value is text")
        if tag == "t":
            moment = datetime.fromisoformat(text)
            if moment.tzinfo is None:
                raise ValueError("an instant has an offset")
            return moment
        if tag == "d":
            return date.fromisoformat(text)
        if tag == "n":
            return Decimal(text)
        raise ValueError(f"unknown tag {tag!r}")
    if value is None or isinstance(value, str | bool | int | float):
        return value
    raise ValueError("not a sort value")


# --- reading ----------------------------------------------------------------------------------------


def wire_value(value: Any) -> Any:
    """A value as a row carries it: dates and instants as ISO 8601 text, decimals as numbers."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _row_columns(fields: Sequence[RowField]) -> list[sa.ColumnElement[Any]]:
    # A JSONB field comes back as stored (its JSON type kept); a column as its value.
    return [f.storage.raw.label(f"c_{i}") for i, f in enumerate(fields)]


def _sort_columns(order: Sequence[tuple[str, sa.ColumnElement[Any], bool]]) -> list[sa.ColumnElement[Any]]:
    return [value.label(f"s_{i}") for i, (_, value, _) in enumerate(order)]


def _page(
    rows: Sequence[sa.Row[Any]],
    fields: Sequence[RowField],
    order: Sequence[tuple[str, sa.ColumnElement[Any], bool]],
    limit: int,
) -> tuple[list[dict[str, Any]], str | None]:
    shown = rows[:limit]
    page = []
    for row in shown:
        mapping = row._mapping
        item = {"id": mapping["s_" + str(len(order) - 1)]}
        item.update({f.name: wire_value(mapping[f"c_{i}"]) for i, f in enumerate(fields)})
        page.append(item)
    cursor = None
    if len(rows) > limit:
        last = shown[-1]._mapping
        cursor = _encode_cursor(order, [last[f"s_{i}"] for i in range(len(order))])
    return page, cursor


async def fetch_rows(session: AsyncSession, source: RowSource, base: sa.Select[Any], query: RowQuery) -> RowPage:
    """One page of ``base`` (its FROM and scope) by ``query``: filter, order, keyset, columns."""
    source.check(query)
    order = source.order(query.sort)
    fields = source.selected(query.columns)
    statement = base.add_columns(*_row_columns(fields), *_sort_columns(order)).where(source.where(query.filter))
    if query.after is not None:
        statement = statement.where(_after(order, _decode_cursor(order, query.after)))
    statement = statement.order_by(*_order_by(order)).limit(query.limit + 1)
    rows, cursor = _page((await session.execute(statement)).all(), fields, order, query.limit)
    return RowPage(rows=rows, next=cursor)


async def fetch_groups(session: AsyncSession, source: RowSource, base: sa.Select[Any], query: GroupQuery) -> GroupPage:
    """Counts per value of ``groupBy`` (one GROUP BY) and the first page of each group (one UNION ALL)."""
    source.check(query)
    grouped = source.fields[query.group_by].storage.value
    matching = source.where(query.filter)
    counted = (
        base.add_columns(grouped.label("g"), sa.func.count().label("n"))
        .where(matching)
        .group_by(grouped)
        .order_by(grouped.asc())
        .limit(MAX_GROUPS + 1)
    )
    counts = (await session.execute(counted)).all()
    more_groups = len(counts) > MAX_GROUPS
    counts = counts[:MAX_GROUPS]
    if not counts:
        return GroupPage(groups=[], more_groups=False)
    order = source.order(query.sort)
    fields = source.selected(query.columns)
    branches = []
    for index, (value, _) in enumerate(counts):
        in_group = grouped.is_(None) if value is None else grouped == value
        branch = (
            base.add_columns(sa.literal(index).label("group_index"), *_row_columns(fields), *_sort_columns(order))
            .where(matching, in_group)
            .order_by(*_order_by(order))
            .limit(query.per_group + 1)
        )
        branches.append(sa.select(branch.subquery()))
    # Each branch is ordered inside; the union is ordered again, by group then by the sort labels.
    ordered = [sa.literal_column("group_index").asc()] + [
        sa.literal_column(f"s_{i}").desc() if descending else sa.literal_column(f"s_{i}").asc()
        for i, (_, _, descending) in enumerate(order)
    ]
    rows = (await session.execute(sa.union_all(*branches).order_by(*ordered))).all()
    by_group: dict[int, list[sa.Row[Any]]] = {}
    for row in rows:
        by_group.setdefault(row._mapping["group_index"], []).append(row)
    groups = []
    for index, (value, count) in enumerate(counts):
        page, cursor = _page(by_group.get(index, []), fields, order, query.per_group)
        groups.append(RowGroup(value=wire_value(value), count=count, rows=page, next=cursor))
    return GroupPage(groups=groups, more_groups=more_groups)
