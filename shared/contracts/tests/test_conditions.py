import math
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plenary_contracts.conditions import (
    MAX_DEPTH,
    MAX_NODES,
    OPERATORS,
    allowed_operators,
    canonical,
    compile_condition,
    condition_problems,
    evaluate,
    iso_to_epoch_ms,
    js_number,
    js_string,
)
from plenary_contracts.enums import FieldDataType

MISSING = object()


def simple(field, operator, value=None):
    return {"type": "simple", "field": field, "operator": operator, "value": value}


def compound(operator, *conditions):
    return {"type": "compound", "operator": operator, "conditions": list(conditions)}


def holds(operator, actual, value=None, field_type=None):
    data = {} if actual is MISSING else {"f": actual}
    return evaluate(simple("f", operator, value), data, {"f": field_type} if field_type else None)


TRUE = simple("f", "eq", "yes")
FALSE = simple("f", "eq", "no")
DATA = {"f": "yes"}

# --- Shapes -----------------------------------------------------------------------------------


def test_a_missing_condition_is_true():
    assert evaluate(None, {}) is True


@pytest.mark.parametrize("operator", ["and", "or"])
def test_a_compound_without_children_is_true(operator):
    assert evaluate(compound(operator), {}) is True


def test_an_unknown_operator_is_true():
    assert evaluate(simple("f", "startsWith", "x"), {"f": "y"}) is True


def test_an_unknown_compound_operator_is_true():
    assert evaluate(compound("xor", FALSE), DATA) is True


def test_and_needs_every_child_and_or_needs_one():
    assert evaluate(compound("and", TRUE, TRUE), DATA) is True
    assert evaluate(compound("and", TRUE, FALSE), DATA) is False
    assert evaluate(compound("or", FALSE, TRUE), DATA) is True
    assert evaluate(compound("or", FALSE, FALSE), DATA) is False


def test_compounds_nest_to_any_depth():
    deep = TRUE
    for level in range(30):
        deep = compound("or", FALSE, deep) if level % 2 else compound("and", simple("f", "notEmpty"), deep)
    assert evaluate(deep, DATA) is True
    assert evaluate(deep, {"f": "no"}) is True
    assert evaluate(deep, {"f": "other"}) is False
    assert evaluate(deep, {}) is False


def test_the_field_is_a_flat_key_not_a_path():
    condition = simple("a.b", "eq", 1)
    assert evaluate(condition, {"a.b": 1}) is True
    assert evaluate(condition, {"a": {"b": 1}}) is False


def test_malformed_nodes_are_true_like_unknown_operators():
    assert evaluate("nonsense", {}) is True
    assert evaluate(compound("and", None, "x"), {}) is True
    assert evaluate({"type": "compound", "operator": "and", "conditions": "x"}, {}) is True
    assert evaluate({"type": "simple", "field": ["f"], "operator": "empty"}, {"f": "x"}) is True


# --- eq / neq ---------------------------------------------------------------------------------


def test_eq_identical_values_are_equal():
    assert holds("eq", "abc", "abc") is True
    assert holds("eq", 5, 5) is True


def test_eq_null_and_undefined_are_equal():
    assert holds("eq", None, None) is True
    assert holds("eq", MISSING, None) is True


def test_eq_exactly_one_null_is_not_equal():
    assert holds("eq", None, "null") is False
    assert holds("eq", MISSING, "") is False
    assert holds("eq", "null", None) is False
    assert holds("eq", 0, None) is False


def test_eq_compares_js_string_forms_case_insensitively():
    assert holds("eq", 5, "5") is True
    assert holds("eq", "5", 5) is True
    assert holds("eq", True, "TRUE") is True
    assert holds("eq", "Approved", "APPROVED") is True
    assert holds("eq", 1.0, "1") is True
    assert holds("eq", ["a", "B"], "A,b") is True
    assert holds("eq", {"x": 1}, "[object object]") is True


def test_eq_keeps_js_string_differences():
    assert holds("eq", 1, True) is False
    assert holds("eq", 5, "5.0") is False
    assert holds("eq", 0, False) is False


def test_a_missing_value_reads_as_null():
    assert evaluate({"type": "simple", "field": "f", "operator": "eq"}, {}) is True
    assert evaluate({"type": "simple", "field": "f", "operator": "eq"}, {"f": 1}) is False


def test_neq_is_the_negation_of_eq():
    assert holds("neq", "A", "a") is False
    assert holds("neq", MISSING, None) is False
    assert holds("neq", "a", None) is True


# --- empty / notEmpty -------------------------------------------------------------------------


@pytest.mark.parametrize("actual", [None, MISSING, "", "   ", "\t\n\u00a0\ufeff", []])
def test_empty_is_null_undefined_whitespace_or_an_empty_array(actual):
    assert holds("empty", actual) is True
    assert holds("notEmpty", actual) is False


@pytest.mark.parametrize("actual", [0, 0.0, False, "0", "x", [None], {}, "\x1c"])
def test_zero_false_and_everything_else_are_not_empty(actual):
    assert holds("empty", actual) is False
    assert holds("notEmpty", actual) is True


def test_empty_ignores_the_value():
    assert holds("empty", "", "something") is True


# --- Numeric operators ------------------------------------------------------------------------


def test_numeric_operators_compare_numbers():
    assert holds("gt", 5, 3) is True
    assert holds("gt", 3, 3) is False
    assert holds("gte", 3, 3) is True
    assert holds("lt", 2, 3) is True
    assert holds("lte", 3, 3) is True
    assert holds("lte", 4, 3) is False


def test_numeric_operators_read_empty_null_and_false_as_zero_and_true_as_one():
    assert holds("gte", "", 0) is True and holds("lte", "", 0) is True
    assert holds("gte", None, 0) is True and holds("lt", None, 1) is True
    assert holds("lt", False, 1) is True
    assert holds("gt", True, 0.5) is True and holds("lt", True, 1.5) is True


def test_numeric_operators_parse_trimmed_numeric_strings():
    assert holds("gt", " 12 ", 11) is True
    assert holds("gt", "1e3", 999) is True
    assert holds("gt", "0x1f", 30) is True and holds("lt", "0x1f", 32) is True
    assert holds("gt", 20, "10") is True


def test_numeric_operators_read_nan_as_zero():
    for actual in ("abc", MISSING, {"a": 1}, [1, 2], "1_000", "infinity"):
        assert holds("gte", actual, 0) is True
        assert holds("lte", actual, 0) is True
        assert holds("gt", actual, -1) is True


def test_without_a_type_an_iso_date_against_a_number_is_nan_so_zero():
    assert holds("lt", "2024-01-01", 1) is True
    assert holds("gt", "2024-01-01", -1) is True


def test_numeric_operators_compare_arrays_through_their_string_form():
    assert holds("gt", [5], 4) is True
    assert holds("gte", [], 0) is True


# --- contains / in / notIn --------------------------------------------------------------------


def test_contains_is_a_case_insensitive_substring():
    assert holds("contains", "Hello World", "WORLD") is True
    assert holds("contains", "Hello", "bye") is False


def test_contains_reads_null_and_undefined_as_an_empty_string():
    assert holds("contains", None, "") is True
    assert holds("contains", MISSING, "a") is False
    assert holds("contains", MISSING, "null") is False


def test_contains_joins_arrays_with_commas_and_coerces_numbers():
    assert holds("contains", ["Red", "Blue"], "red,b") is True
    assert holds("contains", 12345, "234") is True
    assert holds("contains", 12345, 234) is True
    assert holds("contains", True, "ru") is True


def test_contains_compares_with_the_values_string_form():
    assert holds("contains", "nullable", None) is True
    assert holds("contains", "x", None) is False


def test_in_is_true_when_any_element_is_eq():
    assert holds("in", "fr", ["DE", "FR"]) is True
    assert holds("in", 5, ["4", "5"]) is True
    assert holds("in", None, ["a", None]) is True
    assert holds("in", MISSING, [None]) is True
    assert holds("in", "it", ["DE", "FR"]) is False
    assert holds("in", None, ["null"]) is False
    assert holds("in", "x", []) is False


def test_in_with_a_non_array_value_is_false():
    assert holds("in", "a", "a") is False
    assert holds("in", "a", None) is False


def test_not_in_is_true_when_no_element_is_eq():
    assert holds("notIn", "it", ["DE", "FR"]) is True
    assert holds("notIn", "fr", ["DE", "FR"]) is False
    assert holds("notIn", "x", []) is True


def test_not_in_with_a_non_array_value_is_true():
    assert holds("notIn", "a", "a") is True
    assert holds("notIn", "a", None) is True


# --- JavaScript string and number forms -------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "null"),
        (True, "true"),
        (False, "false"),
        (1.0, "1"),
        (1.5, "1.5"),
        (-0.0, "0"),
        (42, "42"),
        (2**53, "9007199254740992"),
        (2**60, "1152921504606847000"),
        (2**70, "1.1805916207174113e+21"),
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (123.456e18, "123456000000000000000"),
        (1e-7, "1e-7"),
        (1e-6, "0.000001"),
        (1.23e-18, "1.23e-18"),
        (-1.5e300, "-1.5e+300"),
        (0.1 + 0.2, "0.30000000000000004"),
        (5e-324, "5e-324"),
        (math.nan, "NaN"),
        (math.inf, "Infinity"),
        (-math.inf, "-Infinity"),
        (["a", 1, True], "a,1,true"),
        ([1, [2, [3, None]], None], "1,2,3,,"),
        ([], ""),
        ({"a": 1}, "[object Object]"),
        ([{}], "[object Object]"),
        ("Text", "Text"),
    ],
)
def test_js_string_matches_javascript(value, expected):
    assert js_string(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", 0.0),
        ("  ", 0.0),
        (None, 0.0),
        (False, 0.0),
        (True, 1.0),
        (" 12 ", 12.0),
        ("\ufeff7\u3000", 7.0),
        ("0x1f", 31.0),
        ("0X1F", 31.0),
        ("0o17", 15.0),
        ("0b101", 5.0),
        ("1e3", 1000.0),
        ("-1.5E-2", -0.015),
        (".5", 0.5),
        ("5.", 5.0),
        ("+7", 7.0),
        ("Infinity", math.inf),
        ("-Infinity", -math.inf),
        ("1e999", math.inf),
        ([], 0.0),
        ([5], 5.0),
        (["7"], 7.0),
        (12, 12.0),
        (2**1100, math.inf),
    ],
)
def test_js_number_matches_javascript(value, expected):
    assert js_number(value) == expected


NOT_NUMBERS = ["abc", "1_000", "infinity", "inf", "nan", "-0x10", "0x", ".", "1e", "\uff11\uff12", "\x1c1"]


@pytest.mark.parametrize("value", [*NOT_NUMBERS, [1, 2], {}, "2024-01-01"])
def test_js_number_is_nan_where_javascript_says_nan(value):
    assert math.isnan(js_number(value))


# --- ISO dates compare as times (the DATE fix) ------------------------------------------------


@pytest.mark.parametrize("field_type", [FieldDataType.DATE, FieldDataType.DATETIME])
def test_date_fields_compare_as_times(field_type):
    assert holds("gt", "2024-03-01", "2024-02-28", field_type) is True
    assert holds("lt", "2024-03-01", "2024-02-28", field_type) is False
    assert holds("gte", "2024-01-01T10:00:00Z", "2024-01-01", field_type) is True
    assert holds("lte", "2023-12-31T23:59:59.999Z", "2024-01-01", field_type) is True


def test_a_date_alone_is_midnight_utc_and_a_naive_datetime_is_utc():
    assert iso_to_epoch_ms("1970-01-02") == 86_400_000
    assert iso_to_epoch_ms("1970-01-01T00:00:01.5") == 1500
    assert holds("eq", "2024-01-01", "2024-01-01T00:00:00Z", "DATE") is True
    assert holds("eq", "2024-01-01T00:00", "2024-01-01", "DATETIME") is True


def test_offsets_are_applied():
    assert iso_to_epoch_ms("1970-01-01T01:00:00+01:00") == 0
    assert iso_to_epoch_ms("1970-01-01T00:00:00-0130") == 5_400_000
    assert holds("eq", "2024-01-01T12:00:00+02:00", "2024-01-01T10:00:00Z", "DATETIME") is True
    assert holds("neq", "2024-01-01T12:00:00+02:00", "2024-01-01T12:00:00Z", "DATETIME") is True


@pytest.mark.parametrize(
    "text", ["2024-02-30", "2024-13-01", "2024-01-01T24:00", "2024-01-01T10:00+25:00", "2024-1-1", "20240101", "soon"]
)
def test_invalid_iso_dates_do_not_parse(text):
    assert iso_to_epoch_ms(text) is None


def test_an_unparseable_side_of_a_date_field_keeps_js_coercion():
    assert holds("gt", "2024-01-01", "someday", "DATE") is True  # Number("someday") is NaN, read as 0
    assert holds("lt", None, "1970-01-02", "DATE") is True  # Number(null) is 0
    assert holds("gt", "1970-01-01T00:00:01Z", 999, "DATETIME") is True  # an epoch-ms number stays a number
    assert holds("eq", "2024-01-01", None, "DATE") is False


def test_without_a_type_two_iso_strings_compare_as_times():
    assert holds("gt", "2024-03-01", "2024-02-28") is True
    assert holds("lt", "2024-03-01T00:00:00+05:00", "2024-02-29T20:00:00Z") is True
    assert holds("eq", "2024-01-01", "2024-01-01T00:00:00Z") is True


def test_a_field_of_another_known_type_keeps_the_original_coercion():
    assert holds("gt", "2024-03-01", "2024-02-28", "NUMBER") is False  # NaN > NaN, both read as 0
    assert holds("eq", "2024-01-01", "2024-01-01T00:00:00Z", "TEXT") is False


# --- Operators allowed by field type ----------------------------------------------------------

BASE = {"eq", "neq", "empty", "notEmpty"}


@pytest.mark.parametrize(
    ("field_type", "extra"),
    [
        *[(name, {"gt", "lt", "gte", "lte"}) for name in ("NUMBER", "DECIMAL", "INTEGER", "CURRENCY", "DATE")],
        ("DATETIME", {"gt", "lt", "gte", "lte"}),
        ("BOOLEAN", set()),
        ("TOGGLE", set()),
        *[(name, {"in", "notIn"}) for name in ("SELECT", "RADIO", "DROPDOWN", "ENUM")],
        *[(name, {"contains", "in", "notIn"}) for name in ("MULTI_SELECT", "CHECKBOX_GROUP", "MULTI_ENUM")],
        *[(name, {"contains", "in", "notIn"}) for name in ("TEXT", "EMAIL", "LONG_TEXT", "JSON", "SOMETHING_NEW")],
    ],
)
def test_operators_allowed_by_field_type(field_type, extra):
    assert set(allowed_operators(field_type)) == BASE | extra


def test_every_operator_is_allowed_when_the_type_is_unknown():
    assert allowed_operators(None) == OPERATORS


def test_our_field_data_types_all_map_to_a_row():
    for field_type in FieldDataType:
        assert set(allowed_operators(field_type)) >= BASE


# --- Validation -------------------------------------------------------------------------------


def test_valid_conditions_have_no_problems():
    assert condition_problems(None) == []
    assert condition_problems(compound("and")) == []
    assert condition_problems(compound("or", simple("status", "in", ["A"]), compound("and", TRUE))) == []
    assert condition_problems({"type": "simple", "field": "f", "operator": "notEmpty"}) == []


@pytest.mark.parametrize(
    ("condition", "problems"),
    [
        ("x", [((), "must be an object")]),
        ({"type": "other"}, [(("type",), "must be 'simple' or 'compound'")]),
        (simple("", "eq"), [(("field",), "must be a non-empty string")]),
        (simple(3, "eq"), [(("field",), "must be a non-empty string")]),
        (simple("a.b", "eq"), [(("field",), "must be a flat key, without dots")]),
        (simple("f", "like", "x"), [(("operator",), "must be one of " + ", ".join(OPERATORS))]),
        (simple("f", "in", "x"), [(("value",), "must be a list for in")]),
        (simple("f", "notIn", None), [(("value",), "must be a list for notIn")]),
        (simple("f", "eq", {"a": 1}), [(("value",), "must be null, a boolean, a number, a string or a list of these")]),
        (simple("f", "in", [1, [math.nan]]), [(("value", 1, 0), "must be a finite number")]),
        ({**simple("f", "eq"), "label": "x"}, [(("label",), "is not a key of a simple condition")]),
        ({"type": "compound", "operator": "xor", "conditions": []}, [(("operator",), "must be 'and' or 'or'")]),
        ({"type": "compound", "operator": "and"}, [(("conditions",), "must be a list")]),
        (compound("and", TRUE, None), [(("conditions", 1), "must be an object")]),
        (
            compound("or", compound("and", simple("f", "eq"), simple("", "gt"))),
            [(("conditions", 0, "conditions", 1, "field"), "must be a non-empty string")],
        ),
    ],
)
def test_condition_problems_name_the_location_and_the_reason(condition, problems):
    assert condition_problems(condition) == problems


def test_an_operator_must_be_allowed_for_a_known_field_type():
    types = {"age": "NUMBER", "flag": "BOOLEAN"}
    assert condition_problems(simple("age", "gt", 3), types) == []
    assert condition_problems(simple("flag", "gt", 3), types) == [
        (("operator",), "gt is not allowed for a BOOLEAN field; use one of eq, neq, empty, notEmpty")
    ]
    assert condition_problems(simple("extra", "gt", 3), types) == []


def test_nesting_deeper_than_the_limit_is_a_problem():
    deep = TRUE
    for _ in range(MAX_DEPTH - 1):
        deep = compound("and", deep)
    assert condition_problems(deep) == []
    problems = condition_problems(compound("and", deep))
    assert len(problems) == 1
    path, message = problems[0]
    assert path == ("conditions", 0) * MAX_DEPTH
    assert "deeper than 10 levels" in message


def test_more_nodes_than_the_limit_is_a_problem():
    assert condition_problems(compound("and", *[TRUE] * (MAX_NODES - 1))) == []
    assert condition_problems(compound("and", *[TRUE] * MAX_NODES)) == [
        ((), "has more than 100 conditions; the limit is 100")
    ]


def test_canonical_spells_out_every_key_and_drops_the_value_of_empty():
    condition = compound("and", {"type": "simple", "field": "f", "operator": "eq"}, simple("g", "empty", "x"))
    assert canonical(condition) == compound("and", simple("f", "eq", None), simple("g", "empty", None))


# --- Properties -------------------------------------------------------------------------------

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3), max_leaves=6)
any_values = values | st.dictionaries(st.text(max_size=3), scalars, max_size=2)
finite = st.floats(allow_nan=False, allow_infinity=False) | st.integers(-(2**53), 2**53)
ascii_words = st.text(string.ascii_letters + string.digits + " ", max_size=12)
field_types = st.sampled_from([None, "DATE", "TEXT", "NUMBER"])
fields = st.sampled_from(["a", "b", "c"])
simple_conditions = st.builds(simple, fields, st.sampled_from([*OPERATORS, "bogus"]), any_values)
conditions = st.recursive(
    simple_conditions,
    lambda inner: st.builds(
        lambda o, cs: compound(o, *cs), st.sampled_from(["and", "or"]), st.lists(inner, max_size=3)
    ),
    max_leaves=12,
)


@given(any_values, any_values, field_types)
def test_eq_is_symmetric(a, b, field_type):
    assert holds("eq", a, b, field_type) == holds("eq", b, a, field_type)


@given(any_values, field_types)
def test_a_missing_field_is_eq_like_null(value, field_type):
    assert holds("eq", MISSING, value, field_type) == holds("eq", None, value, field_type)


@given(any_values | st.just(MISSING), any_values, field_types)
def test_neq_is_always_the_opposite_of_eq(actual, value, field_type):
    assert holds("neq", actual, value, field_type) is not holds("eq", actual, value, field_type)


@given(ascii_words, ascii_words)
def test_eq_on_strings_is_case_insensitive_equality(a, b):
    assert holds("eq", a, b) == (a.lower() == b.lower())
    assert holds("eq", a, a.swapcase()) is True


@given(st.integers(-(2**53), 2**53))
def test_js_number_of_an_integer_string_round_trips(number):
    assert js_number(str(number)) == number
    assert js_number(f"  {number}\n") == number


@given(st.floats(allow_nan=False))
def test_js_string_of_a_float_reads_back_as_the_same_number(number):
    assert js_number(js_string(number)) == number


@given(finite, finite)
def test_numeric_operators_agree_with_float_comparison(a, b):
    assert holds("gt", a, b) == (a > b)
    assert holds("lt", a, b) == (a < b)
    assert holds("gte", a, b) == (a >= b)
    assert holds("lte", a, b) == (a <= b)
    assert holds("gt", js_string(a), b) == (a > b)


@given(any_values | st.just(MISSING))
def test_empty_and_not_empty_are_complements(actual):
    assert holds("empty", actual) is not holds("notEmpty", actual)


@given(any_values | st.just(MISSING), any_values)
def test_in_and_not_in_are_complements(actual, value):
    assert holds("in", actual, value) is not holds("notIn", actual, value)


@given(any_values | st.just(MISSING), st.lists(values, max_size=4))
def test_in_is_any_element_eq(actual, value):
    assert holds("in", actual, value) == any(holds("eq", actual, item) for item in value)


@given(conditions, st.dictionaries(fields, any_values), st.sampled_from([None, {"a": "DATE", "b": "TEXT"}]))
def test_evaluate_agrees_with_the_compiled_predicate(condition, data, types):
    assert evaluate(condition, data, types) is compile_condition(condition, types)(data)
