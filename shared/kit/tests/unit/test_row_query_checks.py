"""What the list query translator refuses before any SQL runs, and what reaches the SQL as a bound value."""

import pytest
import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.dialects import postgresql

from plenary_contracts.errors import ErrorCode, ValidationFailed
from plenary_contracts.row_queries import GroupQuery, RowQuery, SortKey
from plenary_kit.db import sort_index_sql
from plenary_kit.db.row_predicates import Kind, Storage
from plenary_kit.db.row_queries import _decode_cursor, _encode_cursor

from ..row_things import SOURCE, thing


def _simple(field: str, operator: str, value: object = None) -> dict:
    return {"type": "simple", "field": field, "operator": operator, "value": value}


def _refusal(query: RowQuery | GroupQuery) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as refused:
        SOURCE.check(query)
    assert refused.value.code is ErrorCode.VALIDATION_ERROR
    return refused.value


def test_an_unknown_field_in_a_nested_filter_is_named_where_it_is():
    error = _refusal(RowQuery(filter={"type": "compound", "operator": "and", "conditions": [
        _simple("status", "eq", "OPEN"), _simple("vanished", "eq", "x")]}))  # fmt: skip
    assert error.details == {"field": "vanished", "fields": ["vanished"]}
    assert [e.loc for e in error.errors] == [["filter", "conditions", 1, "field"]]
    assert "vanished" in error.message


def test_unknown_sort_columns_and_group_fields_are_each_named():
    error = _refusal(GroupQuery(group_by="gone", sort=[SortKey(field="lost")], columns=["name", "missing"]))
    assert error.details["fields"] == ["lost", "missing", "gone"]
    assert [e.loc for e in error.errors] == [["sort", 0, "field"], ["columns", 1], ["groupBy"]]


def test_a_field_that_does_not_filter_sort_or_group_is_refused_for_that_use():
    assert _refusal(RowQuery(filter=_simple("secret", "eq", "x"))).errors[0].msg == "cannot filter on 'secret'"
    assert _refusal(RowQuery(sort=[SortKey(field="secret")])).errors[0].loc == ["sort", 0, "field"]
    assert _refusal(RowQuery(sort=[SortKey(field="tags")])).errors[0].msg == "cannot sort on 'tags'"
    assert _refusal(GroupQuery(group_by="day")).errors[0].msg == "cannot group on 'day'"


def test_an_operator_the_fields_type_does_not_take_is_refused():
    assert _refusal(RowQuery(filter=_simple("score", "contains", "1"))).errors[0].loc == ["filter", "operator"]
    assert _refusal(RowQuery(filter=_simple("xJson", "eq", "x"))).errors[0].loc == ["filter", "operator"]
    assert _refusal(RowQuery(filter=_simple("name", "in", "not a list"))).errors[0].loc == ["filter", "value"]


def test_id_and_every_declared_field_are_accepted():
    SOURCE.check(RowQuery(sort=[SortKey(field="id", direction="desc")], columns=["id", "xText"]))
    SOURCE.check(GroupQuery(group_by="diet", filter=_simple("xDate", "gte", "2000-01-01")))


def test_a_built_in_field_wins_over_an_extra_of_the_same_name():
    assert SOURCE.fields["status"].storage.key is None
    assert [f.name for f in SOURCE.describe().fields].count("status") == 1


def test_field_names_that_are_not_names_never_reach_a_query():
    for name in ("name; DROP TABLE thing", "extras->>'x'", "a.b", ""):
        with pytest.raises(ValidationError):
            RowQuery(sort=[SortKey(field=name)])
        with pytest.raises(ValidationError):
            RowQuery(columns=[name])


def test_values_are_bound_parameters_never_part_of_the_sql():
    attempt = "'); DROP TABLE thing; --"
    for condition in (_simple("name", "eq", attempt), _simple("xText", "contains", attempt),
                      _simple("diet", "in", [attempt]), _simple("score", "gt", attempt)):  # fmt: skip
        compiled = sa.select(thing.c.id).where(SOURCE.where(condition)).compile(dialect=postgresql.dialect())
        assert "DROP" not in str(compiled)


def test_the_extras_key_is_inlined_only_when_it_is_a_plain_name():
    compiled = str(sa.select(thing.c.id).where(SOURCE.where(_simple("diet", "eq", "vegan"))).compile())
    assert "@>" in compiled  # options compare exactly, so a GIN index on the JSONB serves them
    with pytest.raises(ValueError):
        _ = Storage(Kind.TEXT, thing.c.extras, key="x' OR '1'='1").text


def test_a_cursor_holds_the_sort_values_and_answers_only_its_own_query():
    order = SOURCE.order([SortKey(field="score"), SortKey(field="createdAt", direction="desc")])
    cursor = _encode_cursor(order, [None, "x", "r1"])
    assert _decode_cursor(order, cursor) == [None, "x", "r1"]
    other = SOURCE.order([SortKey(field="score", direction="desc")])
    for bad in (cursor[:-3], "not base64 !", "e30", _encode_cursor(other, [1, "r1"])):
        with pytest.raises(ValidationFailed) as refused:
            _decode_cursor(order, bad)
        assert refused.value.errors[0].loc == ["after"]
    with pytest.raises(ValidationFailed):
        _decode_cursor(order, _encode_cursor(order, [1, 2, None]))  # the id is never null


def test_a_page_asks_for_at_most_200_rows():
    with pytest.raises(ValidationError):
        RowQuery(limit=201)
    assert RowQuery().limit == 50


def test_the_sort_of_a_jsonb_field_is_sql_an_expression_index_can_hold():
    assert sort_index_sql(SOURCE.fields["xDate"]) == "extras ->> 'xDate'"
    number = sort_index_sql(SOURCE.fields["xNumber"])
    assert number.startswith("CASE WHEN") and "CAST(extras ->> 'xNumber' AS DOUBLE PRECISION)" in number
    assert "%(" not in number  # no parameter: the planner matches the index's expression
