"""One value checker by field data type: what each type takes, the rules, and values written as text."""

import pytest

from plenary_contracts.enums import FieldDataType as T
from plenary_contracts.field_values import (
    FieldRule,
    check_field_text,
    check_field_value,
    parse_date_bound,
    parse_datetime,
)


def problems(data_type: T, value, **kw) -> list[str]:  # type: ignore[no-untyped-def]
    return check_field_value(data_type, value, **kw).problems


@pytest.mark.parametrize(
    ("data_type", "good", "bad"),
    [
        (T.TEXT, " as written ", 5),
        (T.NUMBER, 3.5, True),
        (T.NUMBER, 7, float("nan")),
        (T.BOOLEAN, False, "false"),
        (T.DATE, "2024-02-29", "2025-02-29"),
        (T.EMAIL, "ada@example.org", "two@@example.org"),
        (T.URL, "https://example.org/a?b=1", "http://[::1"),
        (T.URL, "http://example.org", "http://example.org/a b"),
        (T.REFERENCE, "org-1", "x" * 201),
        (T.FILE, "file_1", "   "),
        (T.JSON, {"any": [1, None]}, None),
    ],
)
def test_each_data_type_takes_its_values_and_refuses_others(data_type, good, bad):
    assert problems(data_type, good) == []
    if bad is not None:
        assert problems(data_type, bad), f"{data_type} accepted {bad!r}"


@pytest.mark.parametrize(
    "number",
    ["+254 20 123 4567", "(020) 555-0100", "0041221234567", "1234567", "+123456789012345", "020.555.0100"],
)
def test_a_phone_number_has_7_to_15_digits_between_spaces_dashes_dots_and_parentheses(number):
    assert problems(T.PHONE, number) == []


@pytest.mark.parametrize(
    "number", ["call me", "123456", "+1234567890123456", "+41-22", "020/555 0100", "++41 22 123 45 67", "41+22345678"]
)
def test_a_phone_number_with_too_few_or_too_many_digits_or_other_signs_is_refused(number):
    assert problems(T.PHONE, number) == ["must be a phone number (7 to 15 digits, optionally starting with +)"]


@pytest.mark.parametrize("moment", ["2026-05-01T09:30:00+03:00", "2026-05-01T09:30Z", "2026-05-01 09:30:00.5-0400"])
def test_a_date_and_time_with_its_offset_is_accepted(moment):
    assert problems(T.DATETIME, moment) == []


@pytest.mark.parametrize("moment", ["2026-05-01T09:30:00", "2026-05-01", "tomorrow at nine", "2026-05-01T25:00Z"])
def test_a_date_and_time_without_an_offset_is_refused(moment):
    assert problems(T.DATETIME, moment) == ["must be a date and time with a UTC offset (ISO 8601)"]


def test_choices_are_options_and_a_repeated_option_counts_once():
    assert problems(T.ENUM, "green", options=("red", "blue")) == ["must be one of: red, blue"]
    assert check_field_value(T.MULTI_ENUM, ["a", "c", "a"], options=("a", "b", "c")).value == ["a", "c"]
    assert problems(T.MULTI_ENUM, ["a", "z"], options=("a", "b")) == ["z not among the options: a, b"]


@pytest.mark.parametrize(
    ("data_type", "rule", "value", "message"),
    [
        (T.NUMBER, FieldRule("min", 1), 0, "must be at least 1"),
        (T.TEXT, FieldRule("maxLength", 3), "abcd", "must be at most 3 characters"),
        (T.TEXT, FieldRule("pattern", "[0-9]{4}"), "no digits", "does not have the expected format"),
        (T.DATE, FieldRule("minDate", "2025-01-01"), "2024-12-31", "must be on or after 2025-01-01"),
        (
            T.DATETIME,
            FieldRule("maxDate", "2025-01-01"),
            "2025-01-02T00:30:00+02:00",
            "must be on or before 2025-01-01",
        ),
        (
            T.DATETIME,
            FieldRule("maxDate", "2026-01-01T12:00:00Z"),
            "2026-01-01T12:30Z",
            "must not be after 2026-01-01T12:00:00Z",
        ),
        (T.NUMBER, FieldRule("max", 10, "ten seats at most"), 11, "ten seats at most"),
    ],
)
def test_rules_refuse_values_out_of_bounds(data_type, rule, value, message):
    assert problems(data_type, value, rules=(rule,)) == [message]


def test_a_date_bound_compares_the_day_written_and_a_time_bound_the_instant():
    day = (FieldRule("minDate", "2025-01-01"),)
    assert problems(T.DATETIME, "2025-01-01T01:00:00+02:00", rules=day) == []  # 2024-12-31T23:00Z, written Jan 1
    instant = (FieldRule("maxDate", "2026-01-01T12:00:00Z"),)
    assert problems(T.DATETIME, "2026-01-01T13:30:00+02:00", rules=instant) == []


def test_rules_that_do_not_suit_the_value_or_are_broken_are_ignored():
    assert problems(T.TEXT, "ab", rules=(FieldRule("min", 3), FieldRule("pattern", "([a-"))) == []
    assert problems(T.NUMBER, 5, rules=(FieldRule("min", "many"),)) == []


@pytest.mark.parametrize(
    ("data_type", "text", "value", "options"),
    [
        (T.NUMBER, "3", 3, ()),
        (T.NUMBER, "-12.5", -12.5, ()),
        (T.BOOLEAN, "false", False, ()),
        (T.MULTI_ENUM, '["a","c"]', ["a", "c"], ("a", "b", "c")),
        (T.JSON, '{"seat": [1, 2]}', {"seat": [1, 2]}, ()),
        (T.JSON, "null", None, ()),
        (T.PHONE, "(020) 555-0100", "(020) 555-0100", ()),
        (T.DATETIME, "2026-05-01T09:30:00+03:00", "2026-05-01T09:30:00+03:00", ()),
        (T.TEXT, "", "", ()),
    ],
)
def test_a_value_written_as_text_reads_in_its_type_and_then_checks_as_a_value(data_type, text, value, options):
    checked = check_field_text(data_type, text, options=options)
    assert checked.problems == [] and checked.value == value
    assert check_field_value(data_type, checked.value, options=options).problems == []


@pytest.mark.parametrize(
    ("data_type", "text"),
    [
        (T.NUMBER, "twelve"),
        (T.NUMBER, "nan"),
        (T.NUMBER, ""),
        (T.BOOLEAN, "yes"),
        (T.BOOLEAN, "True"),
        (T.MULTI_ENUM, "a"),
        (T.MULTI_ENUM, "[1]"),
        (T.JSON, "{not json}"),
        (T.DATETIME, "2026-05-01T09:30:00"),
    ],
)
def test_text_that_does_not_read_in_its_type_is_refused(data_type, text):
    assert check_field_text(data_type, text, options=("a",)).problems != []


def test_a_datetime_bound_may_be_a_day_or_a_time_without_offset_read_as_utc():
    assert str(parse_date_bound(T.DATETIME, "2030-01-01")) == "2030-01-01"
    assert parse_date_bound(T.DATETIME, "2030-01-01T09:00:00") == parse_datetime("2030-01-01T09:00:00Z")
    assert parse_date_bound(T.DATE, "2030-01-01T09:00:00") is None
