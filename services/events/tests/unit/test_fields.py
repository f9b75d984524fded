"""Typed rules of field definitions: which rules suit which type, consistent bounds, options, defaults."""

import pytest
from events_svc.domain.fields import RULE_TYPES, FieldShape, Rule, definition_problems, value_problems

from plenary_contracts.enums import FieldDataType as T


def _problems(kind: T, *rules: tuple[str, object], **config: object) -> list:
    return definition_problems(FieldShape(kind, [Rule(r, v) for r, v in rules], **config))  # type: ignore[arg-type]


def _locs(problems: list) -> list:
    return [loc for loc, _ in problems]


# --- which rules suit which type ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "rule", "value"),
    [
        (T.NUMBER, "min", 0),
        (T.NUMBER, "max", 9.5),
        *[
            (kind, rule, 3)
            for kind in (T.TEXT, T.LONG_TEXT, T.EMAIL, T.URL, T.PHONE)
            for rule in ("minLength", "maxLength")
        ],
        *[(kind, "pattern", "^[A-Z]+") for kind in (T.TEXT, T.LONG_TEXT, T.EMAIL, T.URL, T.PHONE)],
        (T.DATE, "minDate", "2020-01-01"),
        (T.DATE, "maxDate", "2030-12-31"),
        (T.DATETIME, "minDate", "2020-01-01T09:00:00+02:00"),
        (T.DATETIME, "maxDate", "2030-01-01"),
        (T.MULTI_ENUM, "minItems", 1),
        (T.MULTI_ENUM, "maxItems", 2),
    ],
)
def test_a_rule_suits_the_data_types_it_is_made_for(kind, rule, value):
    options = {"options": ["a", "b", "c"]} if kind is T.MULTI_ENUM else {}
    assert _problems(kind, (rule, value), **options) == []


@pytest.mark.parametrize("kind", list(T))
def test_every_rule_made_for_other_types_is_refused_at_its_rule(kind):
    misplaced = [rule for rule, suits in RULE_TYPES.items() if kind not in suits]
    shape = FieldShape(
        kind,
        [Rule(rule, 1) for rule in misplaced],
        options=["a"] if kind in (T.ENUM, T.MULTI_ENUM) else None,
        reference_entity="Organization" if kind is T.REFERENCE else None,
        formula="a + b" if kind is T.FORMULA else None,
    )
    problems = definition_problems(shape)
    assert _locs(problems) == [("validation", i, "rule") for i in range(len(misplaced))]
    assert all("does not apply to" in message for _, message in problems)


def test_boolean_file_and_json_fields_take_no_rules():
    for kind in (T.BOOLEAN, T.FILE, T.IMAGE, T.JSON, T.REFERENCE, T.FORMULA, T.ENUM):
        assert all(kind not in suits for suits in RULE_TYPES.values())


def test_a_rule_given_twice_is_refused_at_the_second():
    assert _locs(_problems(T.TEXT, ("maxLength", 5), ("maxLength", 6))) == [("validation", 1, "rule")]


# --- rule values ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "rule", "value"),
    [
        (T.NUMBER, "min", "5"),
        (T.NUMBER, "max", True),
        (T.NUMBER, "max", float("inf")),
        (T.TEXT, "minLength", -1),
        (T.TEXT, "maxLength", 2.5),
        (T.TEXT, "maxLength", "10"),
        (T.TEXT, "pattern", 7),
        (T.TEXT, "pattern", ""),
        (T.TEXT, "pattern", "(unclosed"),
        (T.TEXT, "pattern", "a" * 501),
        (T.DATE, "minDate", "yesterday"),
        (T.DATE, "minDate", "2024-01-01T10:00:00"),
        (T.DATE, "maxDate", 20240101),
        (T.DATETIME, "minDate", "2024-13-01T00:00:00"),
        (T.MULTI_ENUM, "minItems", -2),
        (T.MULTI_ENUM, "maxItems", 1.5),
    ],
)
def test_a_rule_value_of_the_wrong_kind_is_refused_at_its_value(kind, rule, value):
    options = {"options": ["a", "b", "c"]} if kind is T.MULTI_ENUM else {}
    assert _locs(_problems(kind, (rule, value), **options)) == [("validation", 0, "value")]


def test_a_pattern_that_does_not_compile_says_why():
    ((loc, message),) = _problems(T.TEXT, ("pattern", "[a-"))
    assert loc == ("validation", 0, "value") and "not a valid regular expression" in message


@pytest.mark.parametrize(
    ("kind", "low", "high", "options"),
    [
        (T.NUMBER, ("min", 10), ("max", 2), None),
        (T.TEXT, ("minLength", 8), ("maxLength", 3), None),
        (T.DATE, ("minDate", "2030-01-01"), ("maxDate", "2020-01-01"), None),
        (T.DATETIME, ("minDate", "2030-01-01T12:00:00Z"), ("maxDate", "2030-01-01T13:00:00+02:00"), None),
        (T.MULTI_ENUM, ("minItems", 3), ("maxItems", 1), ["a", "b", "c"]),
    ],
)
def test_a_maximum_below_its_minimum_is_refused_at_the_maximum(kind, low, high, options):
    problems = _problems(kind, low, high, options=options)
    assert _locs(problems) == [("validation", 1, "value")]
    assert "must not be less than" in problems[0][1]


def test_equal_bounds_are_allowed():
    assert _problems(T.NUMBER, ("min", 5), ("max", 5.0)) == []
    assert _problems(T.DATE, ("minDate", "2024-02-29"), ("maxDate", "2024-02-29")) == []


def test_a_multi_enum_cannot_require_more_items_than_it_has_options():
    assert _locs(_problems(T.MULTI_ENUM, ("minItems", 3), options=["a", "b"])) == [("validation", 0, "value")]


# --- config ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [T.ENUM, T.MULTI_ENUM])
def test_a_choice_field_needs_at_least_one_option(kind):
    assert _locs(_problems(kind)) == [("config", "options")]
    assert _locs(_problems(kind, options=[])) == [("config", "options")]


def test_option_values_are_unique():
    assert _locs(_problems(T.ENUM, options=["a", "b", "a", "b"])) == [
        ("config", "options", 2, "value"),
        ("config", "options", 3, "value"),
    ]


def test_options_on_a_field_that_is_no_choice_are_refused():
    assert _locs(_problems(T.TEXT, options=["a"])) == [("config", "options")]
    assert _problems(T.TEXT, options=[]) == []


def test_a_reference_names_its_entity_and_a_formula_its_formula():
    assert _locs(_problems(T.REFERENCE)) == [("config", "referenceEntity")]
    assert _locs(_problems(T.FORMULA)) == [("config", "formula")]
    assert _problems(T.REFERENCE, reference_entity="Organization") == []
    assert _problems(T.FORMULA, formula="age * 2") == []


# --- defaults --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "default", "config"),
    [
        (T.TEXT, "", {}),
        (T.LONG_TEXT, "many\nlines", {}),
        (T.NUMBER, "-12.5", {}),
        (T.NUMBER, "3", {}),
        (T.BOOLEAN, "true", {}),
        (T.BOOLEAN, "false", {}),
        (T.DATE, "2026-05-01", {}),
        (T.DATETIME, "2026-05-01T09:30:00+03:00", {}),
        (T.DATETIME, "2026-05-01T09:30:00Z", {}),
        (T.ENUM, "b", {"options": ["a", "b"]}),
        (T.MULTI_ENUM, '["a","c"]', {"options": ["a", "b", "c"]}),
        (T.MULTI_ENUM, "[]", {"options": ["a"]}),
        (T.EMAIL, "wangari@example.org", {}),
        (T.URL, "https://example.org/path?q=1", {}),
        (T.PHONE, "+254 20 123 4567", {}),
        (T.PHONE, "(020) 555-0100", {}),
        (T.REFERENCE, "org-123", {"reference_entity": "Organization"}),
        (T.JSON, '{"seat": [1, 2]}', {}),
        (T.JSON, "null", {}),
    ],
)
def test_a_default_valid_for_its_type_is_accepted(kind, default, config):
    assert _problems(kind, default_value=default, **config) == []


@pytest.mark.parametrize(
    ("kind", "default", "config"),
    [
        (T.NUMBER, "twelve", {}),
        (T.NUMBER, "nan", {}),
        (T.NUMBER, "", {}),
        (T.BOOLEAN, "yes", {}),
        (T.BOOLEAN, "True", {}),
        (T.DATE, "01/05/2026", {}),
        (T.DATE, "2026-02-30", {}),
        (T.DATETIME, "tomorrow at nine", {}),
        (T.DATETIME, "2026-05-01T09:30:00", {}),  # no offset: a different instant in each time zone
        (T.ENUM, "c", {"options": ["a", "b"]}),
        (T.MULTI_ENUM, "a", {"options": ["a"]}),
        (T.MULTI_ENUM, '["a","z"]', {"options": ["a"]}),
        (T.MULTI_ENUM, '["a","a"]', {"options": ["a"]}),
        (T.MULTI_ENUM, "[1]", {"options": ["a"]}),
        (T.EMAIL, "not-an-address", {}),
        (T.EMAIL, "two@@example.org", {}),
        (T.URL, "example.org", {}),
        (T.URL, "ftp://example.org", {}),
        (T.URL, "http://[::1", {}),
        (T.PHONE, "call me", {}),
        (T.PHONE, "123", {}),
        (T.PHONE, "+1234567890123456", {}),
        (T.PHONE, "020/555 0100", {}),
        (T.REFERENCE, "  ", {"reference_entity": "Organization"}),
        (T.JSON, "{not json}", {}),
        (T.FILE, "badge.png", {}),
        (T.IMAGE, "photo.jpg", {}),
        (T.FORMULA, "3", {"formula": "a + b"}),
    ],
)
def test_a_default_that_is_no_value_of_its_type_is_refused_at_the_default(kind, default, config):
    assert _locs(_problems(kind, default_value=default, **config)) == [("defaultValue",)]


def test_a_default_must_satisfy_the_fields_own_rules():
    assert _locs(_problems(T.NUMBER, ("min", 1), ("max", 10), default_value="11")) == [("defaultValue",)]
    assert _locs(_problems(T.TEXT, ("maxLength", 3), default_value="four")) == [("defaultValue",)]
    assert _locs(_problems(T.TEXT, ("pattern", "^[A-Z]{3}$"), default_value="KEN")) == []
    assert _locs(_problems(T.TEXT, ("pattern", "^[A-Z]{3}$"), default_value="ken")) == [("defaultValue",)]
    assert _locs(_problems(T.DATE, ("minDate", "2026-01-01"), default_value="2025-12-31")) == [("defaultValue",)]
    assert _locs(_problems(T.MULTI_ENUM, ("maxItems", 1), options=["a", "b"], default_value='["a","b"]')) == [
        ("defaultValue",)
    ]


def test_a_default_is_checked_against_its_type_only_while_the_rules_are_broken():
    problems = _problems(T.NUMBER, ("min", 10), ("max", 1), default_value="5")
    assert _locs(problems) == [("validation", 1, "value")]
    problems = _problems(T.NUMBER, ("min", 10), ("max", 1), default_value="five")
    assert _locs(problems) == [("validation", 1, "value"), ("defaultValue",)]


def test_every_problem_is_reported_at_once():
    problems = _problems(T.ENUM, ("min", 1), options=["a", "a"], default_value="z")
    assert _locs(problems) == [("validation", 0, "rule"), ("config", "options", 1, "value"), ("defaultValue",)]


# --- values ----------------------------------------------------------------------------------------


def test_a_pattern_matches_anywhere_unless_anchored():
    shape = FieldShape(T.TEXT, [Rule("pattern", "[0-9]{4}")])
    assert value_problems(shape, "passport 1234 issued") == []
    assert value_problems(FieldShape(T.TEXT, [Rule("pattern", "^[0-9]{4}$")]), "passport 1234") != []


def test_datetime_bounds_compare_instants_across_offsets():
    shape = FieldShape(T.DATETIME, [Rule("maxDate", "2026-01-01T12:00:00Z")])
    assert value_problems(shape, "2026-01-01T13:30:00+02:00") == []
    assert value_problems(shape, "2026-01-01T12:30:00+00:00") == ["must not be after 2026-01-01T12:00:00Z"]
