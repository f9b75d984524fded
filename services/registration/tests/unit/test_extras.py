"""Extras against the effective field definitions: types, rules, required fields, defaults, unknown keys."""

import pytest
from registration_svc.domain.extras import FieldSpec, Rule, check_extras, check_value, from_text, unique_key

from plenary_contracts.enums import FieldDataType as T


def field(name: str, data_type: T = T.TEXT, **kw) -> FieldSpec:  # type: ignore[no-untyped-def]
    return FieldSpec(name=name, label=name.title(), data_type=data_type, **kw)


def problems(spec: FieldSpec, value) -> list[str]:  # type: ignore[no-untyped-def]
    return [message for _, message in check_value(spec, value)[1]]


@pytest.mark.parametrize(
    ("data_type", "good", "bad"),
    [
        (T.TEXT, "hello", 5),
        (T.LONG_TEXT, "a\nlong\ntext", ["x"]),
        (T.NUMBER, 3.5, True),
        (T.NUMBER, 7, "7"),
        (T.BOOLEAN, False, "yes"),
        (T.DATE, "2025-02-28", "2025-02-30"),
        (T.DATE, "1990-01-01", "01/02/1990"),
        (T.DATETIME, "2025-03-01T09:30:00+02:00", "2025-03-01T09:30:00"),
        (T.DATETIME, "2025-03-01T09:30:00Z", "2025-03-01"),
        (T.EMAIL, "ada@example.org", "ada.example.org"),
        (T.URL, "https://example.org/a?b=1", "ftp://example.org"),
        (T.URL, "http://example.org", "example.org"),
        (T.PHONE, "+41 22 123 45 67", "call me"),
        (T.PHONE, "0041221234567", "+41-22"),
        (T.FILE, "file_123", 42),
        (T.IMAGE, "img-1", ""),
        (T.REFERENCE, "ref1", {"id": 1}),
        (T.JSON, {"any": ["thing", 1]}, None),
    ],
)
def test_each_data_type_takes_its_values_and_refuses_others(data_type, good, bad):
    spec = field("f", data_type)
    assert problems(spec, good) == []
    if bad is not None and bad != "":
        assert problems(spec, bad), f"{data_type} accepted {bad!r}"


def test_a_number_is_never_a_boolean_nor_infinite():
    spec = field("n", T.NUMBER)
    assert problems(spec, True) == ["must be a number"]
    assert problems(spec, float("inf")) == ["must be a number"]


def test_enum_values_must_be_options_and_multi_enum_a_list_of_them():
    color = field("color", T.ENUM, options=("red", "blue"))
    tags = field("tags", T.MULTI_ENUM, options=("a", "b", "c"))
    assert problems(color, "red") == []
    assert problems(color, "green") == ["must be one of: red, blue"]
    assert check_value(tags, ["a", "c", "a"]) == (["a", "c"], [])
    assert problems(tags, ["a", "z"]) == ["z not among the options: a, b, c"]
    assert problems(tags, "a") == ["must be a list of options"]


def test_a_formula_field_is_read_only():
    checked = check_extras({"total": 3}, [field("total", T.FORMULA)])
    assert checked.problems == [(("total",), "is computed (formula) and cannot be set")]


@pytest.mark.parametrize(
    ("spec", "value", "message"),
    [
        (field("n", T.NUMBER, rules=(Rule("min", 1),)), 0, "must be at least 1"),
        (field("n", T.NUMBER, rules=(Rule("max", 10),)), 11, "must be at most 10"),
        (field("s", rules=(Rule("minLength", 3),)), "ab", "must be at least 3 characters"),
        (field("s", rules=(Rule("maxLength", 3),)), "abcd", "must be at most 3 characters"),
        (field("s", rules=(Rule("pattern", r"^[A-Z]{2}\d+$"),)), "ab12", "does not have the expected format"),
        (field("d", T.DATE, rules=(Rule("minDate", "2025-01-01"),)), "2024-12-31", "must be on or after 2025-01-01"),
        (field("d", T.DATE, rules=(Rule("maxDate", "2025-01-01"),)), "2025-01-02", "must be on or before 2025-01-01"),
        (
            field("t", T.DATETIME, rules=(Rule("minDate", "2025-01-01"),)),
            "2024-12-31T23:00:00+00:00",
            "must be on or after 2025-01-01",
        ),
        (
            field("m", T.MULTI_ENUM, options=("a", "b"), rules=(Rule("minItems", 2),)),
            ["a"],
            "must have at least 2 items",
        ),
        (
            field("m", T.MULTI_ENUM, options=("a", "b"), rules=(Rule("maxItems", 1),)),
            ["a", "b"],
            "must have at most 1 items",
        ),
    ],
)
def test_validation_rules_refuse_values_out_of_bounds(spec, value, message):
    assert problems(spec, value) == [message]


def test_a_rule_says_its_own_message_when_it_has_one():
    spec = field("seat", T.NUMBER, rules=(Rule("min", 1, "seats start at 1"),))
    assert problems(spec, 0) == ["seats start at 1"]


def test_rules_that_do_not_suit_the_value_or_are_broken_are_ignored():
    assert problems(field("s", rules=(Rule("min", 3),)), "ab") == []
    assert problems(field("s", rules=(Rule("pattern", "([a-"),)), "ab") == []


def test_a_registration_needs_every_required_field_and_gets_defaults():
    fields = [field("badge", required=True), field("shirt", default="M"), field("seats", T.NUMBER, default="2")]
    missing = check_extras({}, fields)
    assert missing.problems == [(("badge",), "Badge is required")]
    assert check_extras({"badge": "  "}, fields).problems == [(("badge",), "Badge is required")]
    done = check_extras({"badge": "Ada"}, fields)
    assert done.problems == []
    assert done.extras == {"badge": "Ada", "shirt": "M", "seats": 2}
    assert check_extras({"badge": "Ada", "shirt": "XL"}, fields).extras["shirt"] == "XL"


def test_a_required_field_with_a_default_is_filled_not_refused():
    assert check_extras({}, [field("badge", required=True, default="Guest")]).extras == {"badge": "Guest"}


def test_unknown_keys_are_refused_except_the_conventional_ones():
    checked = check_extras(
        {"nickname": "x", "passportNumber": "X123", "phone": "+1 555 0100", "dateOfBirth": "1990-05-01"}, []
    )
    assert checked.problems == [(("nickname",), "is not a field of this event")]
    assert checked.extras == {"passportNumber": "X123", "phone": "+1 555 0100", "dateOfBirth": "1990-05-01"}


def test_the_conventional_keys_are_checked_like_fields():
    checked = check_extras({"phone": "call me", "dateOfBirth": "yesterday"}, [])
    assert {loc for loc, _ in checked.problems} == {("phone",), ("dateOfBirth",)}


def test_a_defined_field_overrides_a_conventional_key():
    checked = check_extras({"phone": 41221234567}, [field("phone", T.NUMBER)])
    assert checked.problems == [] and checked.extras == {"phone": 41221234567}


def test_a_partial_update_checks_only_the_keys_given_and_null_removes():
    fields = [field("badge", required=True), field("note"), field("seat", T.NUMBER)]
    stored = {"badge": "Ada", "note": "hi", "seat": 3}
    checked = check_extras({"note": None, "seat": 4}, fields, stored=stored)
    assert checked.problems == []
    assert checked.extras == {"badge": "Ada", "seat": 4}


def test_a_partial_update_cannot_remove_a_required_field_nor_set_a_bad_value():
    fields = [field("badge", required=True), field("seat", T.NUMBER)]
    checked = check_extras({"badge": None, "seat": "x"}, fields, stored={"badge": "Ada"})
    assert checked.problems == [(("badge",), "Badge is required"), (("seat",), "must be a number")]


def test_a_partial_update_does_not_ask_for_required_fields_left_out():
    fields = [field("badge", required=True), field("seat", T.NUMBER)]
    assert check_extras({"seat": 1}, fields, stored={}).problems == []


def test_a_multi_enum_problem_names_the_field():
    checked = check_extras({"tags": ["z"]}, [field("tags", T.MULTI_ENUM, options=("a",))])
    assert checked.problems == [(("tags",), "z not among the options: a")]


def test_text_cells_read_in_their_fields_type():
    assert from_text(field("n", T.NUMBER), " 12 ") == 12
    assert from_text(field("n", T.NUMBER), "1.5") == 1.5
    assert from_text(field("n", T.NUMBER), "twelve") == "twelve"
    assert from_text(field("b", T.BOOLEAN), "Yes") is True
    assert from_text(field("b", T.BOOLEAN), "0") is False
    assert from_text(field("m", T.MULTI_ENUM), "a; b,c") == ["a", "b", "c"]
    assert from_text(field("j", T.JSON), '{"a": 1}') == {"a": 1}
    assert from_text(field("t"), " x ") == "x"


def test_unique_values_compare_as_postgres_reads_them_as_text():
    assert unique_key("abc") == "abc"
    assert unique_key(12) == "12"
    assert unique_key(True) == "true"
    assert unique_key(["a", "b"]) == '["a", "b"]'


@pytest.mark.parametrize(
    ("data_type", "default", "filled", "options"),
    [
        (T.MULTI_ENUM, '["a","c"]', ["a", "c"], ("a", "b", "c")),
        (T.PHONE, "(020) 555-0100", "(020) 555-0100", ()),
        (T.NUMBER, "-12.5", -12.5, ()),
        (T.BOOLEAN, "false", False, ()),
        (T.DATETIME, "2026-05-01T09:30:00+03:00", "2026-05-01T09:30:00+03:00", ()),
        (T.JSON, '{"seat": [1, 2]}', {"seat": [1, 2]}, ()),
    ],
)
def test_a_default_the_field_definition_accepted_fills_a_registration(data_type, default, filled, options):
    spec = field("f", data_type, options=options, default=default)
    assert check_extras({}, [spec]).extras == {"f": filled}


def test_phone_numbers_take_dashes_dots_and_parentheses_and_datetimes_need_their_offset():
    assert problems(field("p", T.PHONE), "(020) 555-0100") == []
    assert problems(field("p", T.PHONE), "020.555.0100") == []
    assert problems(field("t", T.DATETIME), "2026-05-01T09:30:00") != []
