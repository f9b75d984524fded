"""A record's data checked field by field: types by the shared checker, required fields (null and "" too),
defaults, unknown keys."""

from typing import Any

import pytest
from custom_objects_svc.domain.fields import FieldSpec
from custom_objects_svc.domain.records import check_data

from plenary_contracts.enums import FieldDataType as T

HOTEL = [
    FieldSpec("name", "Name", T.TEXT, required=True),
    FieldSpec("stars", "Stars", T.NUMBER, default_value=3),
    FieldSpec("open", "Open", T.BOOLEAN),
    FieldSpec("opened", "Opened", T.DATE),
    FieldSpec("checkIn", "Check-in", T.DATETIME),
    FieldSpec("kind", "Kind", T.ENUM, options=("hotel", "hostel")),
    FieldSpec("amenities", "Amenities", T.MULTI_ENUM, options=("wifi", "pool")),
    FieldSpec("email", "E-mail", T.EMAIL),
    FieldSpec("site", "Site", T.URL),
    FieldSpec("phone", "Phone", T.PHONE),
    FieldSpec("photo", "Photo", T.IMAGE),
    FieldSpec("score", "Score", T.FORMULA),
    FieldSpec("extra", "Extra", T.JSON),
]


def problems(data: dict[str, Any], fields: list[FieldSpec] = HOTEL) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for (name, *_), message in check_data(fields, data).problems:
        found.setdefault(str(name), []).append(message)
    return found


def test_a_record_with_a_valid_value_for_every_field_is_kept_checked() -> None:
    data = {
        "name": "Serena",
        "stars": 5,
        "open": True,
        "opened": "2001-02-03",
        "checkIn": "2026-05-01T14:00:00Z",
        "kind": " hotel ",
        "amenities": ["wifi", "pool", "wifi"],
        "email": "desk@serena.example",
        "site": "https://serena.example",
        "phone": "+254 20 123 4567",
        "photo": "file-1",
        "extra": {"floors": 3},
    }
    checked = check_data(HOTEL, data)
    assert checked.problems == []
    assert checked.data["kind"] == "hotel" and checked.data["amenities"] == ["wifi", "pool"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("stars", "5"),
        ("stars", True),
        ("open", "true"),
        ("opened", "2026-13-01"),
        ("checkIn", "2026-05-01T14:00:00"),
        ("kind", "motel"),
        ("amenities", ["spa"]),
        ("amenities", "wifi"),
        ("email", "desk"),
        ("site", "serena.example"),
        ("phone", "call me"),
        ("photo", 42),
        ("score", 10),
    ],
)
def test_a_value_of_the_wrong_type_is_refused_on_its_field(field: str, value: Any) -> None:
    assert list(problems({"name": "Serena", field: value})) == [field]


@pytest.mark.parametrize("value", [None, "", "   ", []])
def test_a_required_field_refuses_no_value_null_and_empty_included(value: Any) -> None:
    assert problems({"name": value}) == {"name": ['Field "Name" is required']}


def test_a_required_field_left_out_is_refused() -> None:
    assert problems({}) == {"name": ['Field "Name" is required']}


def test_an_optional_field_without_a_value_is_not_kept() -> None:
    checked = check_data(HOTEL, {"name": "Serena", "open": None, "email": "", "amenities": []})
    assert checked.problems == [] and set(checked.data) == {"name", "stars"}


def test_a_field_left_out_takes_its_default_an_explicit_null_does_not() -> None:
    assert check_data(HOTEL, {"name": "Serena"}).data["stars"] == 3
    assert "stars" not in check_data(HOTEL, {"name": "Serena", "stars": None}).data


def test_a_key_that_is_no_field_is_refused() -> None:
    assert problems({"name": "Serena", "rooms": 3}) == {"rooms": ["is not a field of this object"]}


def test_every_bad_field_is_reported_at_once() -> None:
    assert set(problems({"stars": "x", "kind": "motel", "email": "no"})) == {"name", "stars", "kind", "email"}


def test_a_check_limited_to_some_fields_ignores_the_others_and_unknown_keys() -> None:
    checked = check_data(HOTEL, {"stars": "x", "gone": 1}, only={"kind", "name"})
    assert [loc for loc, _ in checked.problems] == [("name",)]
