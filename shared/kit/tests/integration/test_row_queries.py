"""The list query translator on real PostgreSQL: the rows SQL picks are the rows the condition language picks.

The property tests draw rows (a field of every kind, as a column and as a JSONB extra, values of the
field's type, nulls, missing keys, and values that do not cast) and conditions, and hold the SQL's
answer equal to ``plenary_contracts.conditions.evaluate`` over the same rows as the page shows them.
Text is ASCII (PostgreSQL's ``lower`` and Python's agree there).
"""

import asyncio
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from plenary_contracts.conditions import allowed_operators, condition_problems, evaluate
from plenary_contracts.errors import ValidationFailed
from plenary_contracts.row_queries import GroupQuery, RowQuery, SortKey
from plenary_kit.db import fetch_groups, fetch_rows

from ..row_things import DIETS, SOURCE, STATUSES, base, metadata, thing

FIELD_TYPES = SOURCE.field_types
FILTERABLE = [name for name, f in SOURCE.fields.items() if f.filterable]


class Db:
    """One database for the module, driven from sync tests (hypothesis runs each example on this loop)."""

    def __init__(self, url: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.engine: AsyncEngine = self.run(self._engine(url))

    async def _engine(self, url: str) -> AsyncEngine:
        engine = create_async_engine(url)
        async with engine.begin() as connection:
            await connection.run_sync(metadata.create_all)
        return engine

    def run(self, coroutine: Any) -> Any:
        return self.loop.run_until_complete(coroutine)

    def load(self, rows: list[dict[str, Any]]) -> None:
        async def load() -> None:
            async with self.engine.begin() as connection:
                await connection.execute(thing.delete())
                if rows:
                    empty = dict.fromkeys(thing.c.keys())
                    await connection.execute(thing.insert(), [{**empty, **row} for row in rows])

        self.run(load())

    def rows(self, query: RowQuery, tenant: str = "t1") -> Any:
        async def fetch() -> Any:
            async with AsyncSession(self.engine) as session:
                return await fetch_rows(session, SOURCE, base(tenant), query)

        return self.run(fetch())

    def groups(self, query: GroupQuery) -> Any:
        async def fetch() -> Any:
            async with AsyncSession(self.engine) as session:
                return await fetch_groups(session, SOURCE, base(), query)

        return self.run(fetch())

    def all_rows(self, **query: Any) -> list[dict[str, Any]]:
        """Every matching row, page after page."""
        rows: list[dict[str, Any]] = []
        request = RowQuery(limit=200, **query)
        while True:
            page = self.rows(request)
            rows.extend(page.rows)
            if page.next is None:
                return rows
            request = request.model_copy(update={"after": page.next})

    def close(self) -> None:
        self.run(self.engine.dispose())
        self.loop.close()


@pytest.fixture(scope="module")
def db(postgres) -> Iterator[Db]:  # type: ignore[no-untyped-def]
    name = postgres.create_database()
    database = Db(postgres.url_for(name))
    yield database
    database.close()
    postgres.drop_database(name)


# --- rows ---------------------------------------------------------------------------------------------

words = st.text(alphabet="abAB %_\\\t\u00a0", max_size=4)
numbers = st.integers(-8, 8) | st.integers(-20, 20).map(lambda n: n / 4)
days = st.dates(date(1999, 12, 30), date(2000, 1, 3))
instants = st.builds(
    lambda day, hour: datetime(day.year, day.month, day.day, hour, tzinfo=UTC), days, st.sampled_from([0, 6, 23])
)
tag_lists = st.lists(st.sampled_from(["a", "b", "c"]), max_size=3, unique=True)
garbage = st.sampled_from(["abc", "", "  "])
MISSING = object()


def _json_of(values: st.SearchStrategy[Any], odd: st.SearchStrategy[Any] | None = None) -> st.SearchStrategy[Any]:
    choices = st.just(MISSING) | st.none() | values
    return choices | odd if odd is not None else choices


def _iso_text(moment: datetime) -> st.SearchStrategy[str]:
    return st.sampled_from(
        [moment.isoformat(), moment.strftime("%Y-%m-%dT%H:%M:%SZ"), moment.strftime("%Y-%m-%dT%H:%M")]
    )


json_values = {
    "xText": _json_of(words),
    "diet": _json_of(st.sampled_from(DIETS)),
    "xNumber": _json_of(numbers, garbage),
    "xBool": _json_of(st.booleans(), garbage),
    "xDate": _json_of(days.map(date.isoformat), garbage | st.just("2000-02-30")),
    "xTime": _json_of(instants.flatmap(_iso_text), garbage),
    "xList": _json_of(tag_lists, garbage),
    "xJson": _json_of(st.sampled_from([{}, [], {"k": 1}, "x", 0])),
}


@st.composite
def thing_rows(draw: st.DrawFn, index: int) -> dict[str, Any]:
    extras = {key: value for key, strategy in json_values.items() if (value := draw(strategy)) is not MISSING}
    return {
        "id": f"r{index:03d}",
        "tenant_id": "t1",
        "status": draw(st.sampled_from(STATUSES)),
        "name": draw(st.none() | words),
        "score": draw(st.none() | numbers.map(lambda n: Decimal(str(n)))),
        "active": draw(st.none() | st.booleans()),
        "day": draw(st.none() | days),
        "at": draw(st.none() | instants),
        "tags": draw(st.none() | tag_lists),
        "created_at": draw(instants),
        "extras": extras,
    }


@st.composite
def tables(draw: st.DrawFn) -> list[dict[str, Any]]:
    count = draw(st.integers(0, 12))
    return [draw(thing_rows(i)) for i in range(count)]


# --- conditions -----------------------------------------------------------------------------------------

expected_values = (
    st.none()
    | words
    | numbers
    | st.booleans()
    | st.sampled_from(["OPEN", "open", "vegan", "true", "FALSE", "3", "2.5", "1e3", "a,b", "Infinity"])
    | days.map(date.isoformat)
    | instants.map(lambda m: m.strftime("%Y-%m-%dT%H:%M:%SZ"))
    | st.sampled_from([0, 946_684_800_000, 946_684_800_001, -1, 1e20])
    | st.lists(st.none() | words | st.sampled_from(["OPEN", "vegan", "a", "3"]), max_size=3)
)


@st.composite
def simple_conditions(draw: st.DrawFn) -> dict[str, Any]:
    name = draw(st.sampled_from(FILTERABLE))
    kind = SOURCE.fields[name].storage.kind.value
    operators = ("empty", "notEmpty") if kind == "json" else allowed_operators(FIELD_TYPES[name])
    operator = draw(st.sampled_from(operators))
    condition = {"type": "simple", "field": name, "operator": operator}
    if operator in ("in", "notIn"):
        condition["value"] = draw(st.lists(expected_values.filter(lambda v: not isinstance(v, list)), max_size=3))
    elif operator not in ("empty", "notEmpty"):
        condition["value"] = draw(expected_values.filter(lambda v: not isinstance(v, list)))
    return condition


conditions = st.recursive(
    simple_conditions(),
    lambda children: st.builds(
        lambda operator, items: {"type": "compound", "operator": operator, "conditions": items},
        st.sampled_from(["and", "or"]),
        st.lists(children, max_size=3),
    ),
    max_leaves=5,
)
sorts = st.lists(
    st.builds(
        SortKey,
        field=st.sampled_from([n for n, f in SOURCE.fields.items() if f.describe().sortable]),
        direction=st.sampled_from(["asc", "desc"]),
    ),
    max_size=3,
    unique_by=lambda k: k.field,
)
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@PROPERTY
@given(rows=tables(), condition=conditions)
def test_sql_picks_the_rows_the_condition_language_picks(db: Db, rows, condition) -> None:  # type: ignore[no-untyped-def]
    assume(not condition_problems(condition, FIELD_TYPES))
    db.load(rows)
    shown = db.all_rows()
    expected = sorted(r["id"] for r in shown if evaluate(condition, r, FIELD_TYPES))
    assert sorted(r["id"] for r in db.all_rows(filter=condition)) == expected


@PROPERTY
@given(rows=tables(), sort=sorts, limit=st.integers(1, 4))
def test_keyset_pages_list_every_row_once_in_the_order_of_one_query(db: Db, rows, sort, limit) -> None:  # type: ignore[no-untyped-def]
    db.load(rows)
    whole = [r["id"] for r in db.rows(RowQuery(sort=sort, limit=200)).rows]
    paged: list[str] = []
    request = RowQuery(sort=sort, limit=limit)
    while True:
        page = db.rows(request)
        assert len(page.rows) <= limit
        paged.extend(r["id"] for r in page.rows)
        if page.next is None:
            break
        request = request.model_copy(update={"after": page.next})
    assert paged == whole
    assert sorted(whole) == sorted(r["id"] for r in rows)


@PROPERTY
@given(
    rows=tables(),
    group_by=st.sampled_from(["status", "diet", "active", "xNumber", "score"]),
    condition=st.none() | simple_conditions(),
)
def test_groups_count_each_value_and_open_on_its_first_rows(db: Db, rows, group_by, condition) -> None:  # type: ignore[no-untyped-def]
    assume(not condition_problems(condition, FIELD_TYPES))
    db.load(rows)
    page = db.groups(GroupQuery(group_by=group_by, per_group=2, filter=condition, columns=[group_by]))
    matching = db.all_rows(filter=condition)
    assert sum(g.count for g in page.groups) == len(matching)
    for group in page.groups:
        members = [r["id"] for r in matching if _grouped(r[group_by]) == group.value]
        assert group.count == len(members)
        assert [r["id"] for r in group.rows] == members[:2]
        assert (group.next is not None) == (len(members) > 2)


def _grouped(value: Any) -> Any:
    """The value a row is grouped by: a value not of the field's type (the letters in a number) is null."""
    return None if value in ("abc", "", "  ") else value


# --- examples of every operator on every kind (readable failures) -----------------------------------------

MIDNIGHT = datetime(2000, 1, 1, tzinfo=UTC)
EXAMPLES = [
    {"id": "a", "status": "OPEN", "name": "Ana 50%", "score": Decimal("2.5"), "active": True,
     "day": date(2000, 1, 1), "at": MIDNIGHT, "tags": ["a", "b"],
     "extras": {"xText": "Paris", "diet": "VEGAN", "xNumber": 3, "xBool": True, "xDate": "2000-01-01",
                "xTime": "2000-01-01T01:00:00+01:00", "xList": ["a"], "xJson": {"k": 1}}},
    {"id": "b", "status": "DRAFT", "name": "bob_", "score": Decimal("-1"), "active": False,
     "day": date(2000, 1, 2), "at": MIDNIGHT + timedelta(hours=12), "tags": [],
     "extras": {"xText": "  ", "diet": "HALAL", "xNumber": "not a number", "xBool": "yes", "xDate": "2000-02-30",
                "xTime": "garbage", "xList": [], "xJson": []}},
    {"id": "c", "status": "CLOSED", "name": None, "score": None, "active": None, "day": None, "at": None,
     "tags": None, "extras": {"xNumber": None}},
]  # fmt: skip


def _simple(field: str, operator: str, value: Any = None) -> dict[str, Any]:
    return {"type": "simple", "field": field, "operator": operator, "value": value}


OPERATOR_CASES = [
    # text, as a column and in JSONB: case-insensitive, wildcards match themselves, whitespace is empty
    (_simple("name", "eq", "ANA 50%"), "a"),
    (_simple("name", "neq", "ana 50%"), "bc"),
    (_simple("name", "contains", "50%"), "a"),
    (_simple("name", "contains", "_"), "b"),
    (_simple("name", "contains", "%"), "a"),
    (_simple("name", "in", ["BOB_", None]), "bc"),
    (_simple("name", "notIn", ["bob_"]), "ac"),
    (_simple("name", "empty"), "c"),
    (_simple("xText", "empty"), "bc"),
    (_simple("xText", "notEmpty"), "a"),
    (_simple("xText", "eq", "paris"), "a"),
    (_simple("xText", "contains", ""), "abc"),
    (_simple("name", "eq", None), "c"),
    # an enum with options: exact options, whatever the case asked
    (_simple("status", "eq", "open"), "a"),
    (_simple("status", "in", ["draft", "closed", "nope"]), "bc"),
    (_simple("status", "notIn", ["OPEN"]), "bc"),
    (_simple("diet", "eq", "Vegan"), "a"),
    (_simple("diet", "in", ["vegan", "halal"]), "ab"),
    (_simple("diet", "neq", "vegan"), "bc"),
    (_simple("diet", "eq", "unknown"), ""),
    # numbers: a null (or a value that is no number) reads as 0 when ordering; eq compares the number's text
    (_simple("score", "gt", 0), "a"),
    (_simple("score", "gte", -1), "abc"),
    (_simple("score", "lt", 0), "b"),
    (_simple("score", "lte", "2.5"), "abc"),
    (_simple("score", "eq", "2.5"), "a"),
    (_simple("score", "eq", "2.50"), ""),
    (_simple("score", "neq", 2.5), "bc"),
    (_simple("xNumber", "gt", 2), "a"),
    (_simple("xNumber", "lt", 1), "bc"),
    (_simple("xNumber", "eq", 3), "a"),
    (_simple("xNumber", "empty"), "c"),
    # booleans
    (_simple("active", "eq", True), "a"),
    (_simple("active", "eq", "FALSE"), "b"),
    (_simple("active", "neq", True), "bc"),
    (_simple("active", "eq", "maybe"), ""),
    (_simple("xBool", "eq", "true"), "a"),
    (_simple("xBool", "neq", True), "bc"),
    (_simple("xBool", "notEmpty"), "ab"),
    # dates and instants: a date is midnight UTC; a null reads as the epoch when ordering
    (_simple("day", "eq", "2000-01-01T00:00:00Z"), "a"),
    (_simple("day", "eq", "2000-01-01T06:00:00Z"), ""),
    (_simple("day", "gt", "2000-01-01T06:00:00Z"), "b"),
    (_simple("day", "gte", "2000-01-01T06:00:00Z"), "b"),
    (_simple("day", "lt", "2000-01-02"), "ac"),
    (_simple("day", "lte", "2000-01-01T06:00:00Z"), "ac"),
    (_simple("day", "gt", 0), "ab"),
    (_simple("at", "gte", "2000-01-01T12:00:00+00:00"), "b"),
    (_simple("at", "eq", "2000-01-01T01:00:00+01:00"), "a"),
    (_simple("at", "lt", "1970-01-02"), "c"),
    (_simple("xDate", "eq", "2000-01-01"), "a"),
    (_simple("xDate", "gt", "1999-12-31"), "a"),
    (_simple("xDate", "lt", "1999-12-31"), "bc"),
    (_simple("xTime", "eq", "2000-01-01T00:00:00Z"), "a"),
    (_simple("xTime", "notEmpty"), "ab"),
    (_simple("createdAt", "gt", 1e20), ""),
    (_simple("createdAt", "lt", 1e20), "abc"),
    # lists: compared as their text, joined with commas
    (_simple("tags", "eq", "a,b"), "a"),
    (_simple("tags", "contains", "b"), "a"),
    (_simple("tags", "empty"), "bc"),
    (_simple("tags", "in", ["A,B", "x"]), "a"),
    (_simple("xList", "eq", "a"), "a"),
    (_simple("xList", "empty"), "bc"),
    # JSON: emptiness only
    (_simple("xJson", "empty"), "bc"),
    (_simple("xJson", "notEmpty"), "a"),
    # compounds
    ({"type": "compound", "operator": "or", "conditions": [_simple("status", "eq", "OPEN"), _simple("score", "lt", 0)]},
     "ab"),
    ({"type": "compound", "operator": "and", "conditions": []}, "abc"),
    (None, "abc"),
]  # fmt: skip


@pytest.fixture
def examples(db: Db) -> Db:
    db.load(
        [{"tenant_id": "t1", "created_at": MIDNIGHT + timedelta(minutes=i), **row} for i, row in enumerate(EXAMPLES)]
        + [{"id": "z", "tenant_id": "t2", "status": "OPEN", "created_at": MIDNIGHT, "extras": {}}]
    )
    return db


@pytest.mark.parametrize(("condition", "ids"), OPERATOR_CASES)
def test_every_operator_on_every_kind_of_field(examples: Db, condition, ids: str) -> None:  # type: ignore[no-untyped-def]
    shown = examples.all_rows()
    assert "".join(sorted(r["id"] for r in shown if evaluate(condition, r, FIELD_TYPES))) == ids
    assert "".join(sorted(r["id"] for r in examples.all_rows(filter=condition))) == ids


def test_values_are_bound_never_spliced(examples: Db) -> None:
    attempts = ["'; DROP TABLE thing; --", "a' OR '1'='1", "%' OR 1=1 --", "\\'"]
    for attempt in attempts:
        for operator in ("eq", "contains", "in"):
            value = [attempt] if operator == "in" else attempt
            assert examples.all_rows(filter=_simple("name", operator, value)) == []
            assert examples.all_rows(filter=_simple("xText", operator, value)) == []
    assert len(examples.all_rows()) == 3


def test_a_field_name_is_never_sql(examples: Db) -> None:
    for name in ("name; DROP TABLE thing", "extras->>'x'", "name) OR (1=1"):
        with pytest.raises(ValidationFailed) as refused:
            examples.rows(RowQuery(filter=_simple(name, "eq", "x")))
        assert refused.value.details["field"] == name
    assert len(examples.all_rows()) == 3


def test_rows_hold_the_asked_columns_and_the_id_in_their_wire_form(examples: Db) -> None:
    page = examples.rows(RowQuery(columns=["day", "at", "score", "xNumber", "tags"], sort=[SortKey(field="day")]))
    assert page.rows[0] == {"id": "a", "day": "2000-01-01", "at": "2000-01-01T00:00:00+00:00", "score": 2.5,
                            "xNumber": 3, "tags": ["a", "b"]}  # fmt: skip
    assert page.rows[1]["xNumber"] == "not a number"  # shown as stored; it only reads as null in comparisons
    assert [r["id"] for r in page.rows] == ["a", "b", "c"]  # nulls last ascending


def test_the_scope_of_the_base_select_holds(examples: Db) -> None:
    assert [r["id"] for r in examples.rows(RowQuery(), tenant="t2").rows] == ["z"]


def test_the_natural_order_is_the_entitys_default_sort(examples: Db) -> None:
    assert [r["id"] for r in examples.rows(RowQuery()).rows] == ["c", "b", "a"]


def test_a_cursor_from_another_sort_is_refused(examples: Db) -> None:
    first = examples.rows(RowQuery(limit=1, sort=[SortKey(field="name")]))
    assert first.next is not None
    with pytest.raises(ValidationFailed) as refused:
        examples.rows(RowQuery(limit=1, sort=[SortKey(field="score")], after=first.next))
    assert refused.value.errors[0].loc == ["after"]


def test_groups_come_by_value_with_nulls_last(examples: Db) -> None:
    page = examples.groups(GroupQuery(group_by="active", per_group=1, columns=["name"]))
    assert [(g.value, g.count, [r["id"] for r in g.rows]) for g in page.groups] == [
        (False, 1, ["b"]),
        (True, 1, ["a"]),
        (None, 1, ["c"]),
    ]
    assert page.more_groups is False
