"""A definition's fields: names, options, required computed fields, defaults checked as values; what a change
of the fields does to the records kept."""

from typing import Any

import pytest
from custom_objects_svc.domain.fields import FieldSpec, definition_problems, field_changes

from plenary_contracts.enums import FieldDataType as T


def spec(name: str = "stars", data_type: T = T.NUMBER, **kw: Any) -> FieldSpec:
    return FieldSpec(name=name, label=name.title(), data_type=data_type, **kw)


def locs(fields: list[FieldSpec]) -> list[tuple[str | int, ...]]:
    return [loc for loc, _ in definition_problems(fields)]


def test_a_field_of_every_type_with_suitable_options_and_defaults_is_valid() -> None:
    fields = [
        spec("name", T.TEXT, required=True, default_value="Unnamed"),
        spec("notes", T.LONG_TEXT),
        spec("stars", T.NUMBER, default_value=3),
        spec("open", T.BOOLEAN, default_value=True),
        spec("opened", T.DATE, default_value="2026-01-01"),
        spec("checkIn", T.DATETIME, default_value="2026-05-01T14:00:00+03:00"),
        spec("kind", T.ENUM, options=("hotel", "hostel"), default_value="hotel"),
        spec("amenities", T.MULTI_ENUM, options=("wifi", "pool"), default_value=["wifi"]),
        spec("email", T.EMAIL, default_value="desk@hotel.example"),
        spec("site", T.URL, default_value="https://hotel.example"),
        spec("phone", T.PHONE, default_value="+254 20 123 4567"),
        spec("contract", T.FILE),
        spec("photo", T.IMAGE),
        spec("owner", T.REFERENCE, default_value="org-1"),
        spec("score", T.FORMULA, config={"formula": "stars * 2"}),
        spec("extra", T.JSON, default_value={"floors": 3}),
    ]
    assert definition_problems(fields) == []


def test_names_are_unique_ignoring_case() -> None:
    assert locs([spec("stars"), spec("Stars")]) == [("fields", 1, "name")]


@pytest.mark.parametrize("name", ["id", "createdAt", "updatedAt", "createdBy", "definitionId", "ID"])
def test_a_records_own_field_names_are_reserved(name: str) -> None:
    assert locs([spec(name)]) == [("fields", 0, "name")]


def test_a_choice_field_needs_options_and_lists_each_once() -> None:
    assert locs([spec("kind", T.ENUM)]) == [("fields", 0, "options")]
    assert locs([spec("kind", T.MULTI_ENUM, options=())]) == [("fields", 0, "options")]
    assert locs([spec("kind", T.ENUM, options=("a", "b", "a"))]) == [("fields", 0, "options", 2)]


def test_options_belong_to_choice_fields_only() -> None:
    assert locs([spec("stars", T.NUMBER, options=("1",))]) == [("fields", 0, "options")]


def test_a_formula_cannot_be_required_nor_have_a_default() -> None:
    assert locs([spec("f", T.FORMULA, required=True, default_value=1)]) == [
        ("fields", 0, "required"),
        ("fields", 0, "defaultValue"),
    ]


@pytest.mark.parametrize(
    ("data_type", "default", "options"),
    [
        (T.NUMBER, "3", None),
        (T.NUMBER, True, None),
        (T.BOOLEAN, "yes", None),
        (T.DATE, "01/02/2026", None),
        (T.DATETIME, "2026-05-01T14:00:00", None),
        (T.ENUM, "motel", ("hotel",)),
        (T.MULTI_ENUM, ["motel"], ("hotel",)),
        (T.EMAIL, "not-an-email", None),
        (T.URL, "ftp://x.example", None),
        (T.PHONE, "12", None),
        (T.TEXT, "", None),
        (T.FILE, "file-1", None),
    ],
)
def test_a_default_must_be_a_value_of_its_field(data_type: T, default: Any, options: tuple[str, ...] | None) -> None:
    assert locs([spec("f", data_type, default_value=default, options=options)]) == [("fields", 0, "defaultValue")]


def test_an_unchanged_list_touches_no_record() -> None:
    fields = [spec("stars"), spec("kind", T.ENUM, options=("a",))]
    assert not field_changes(fields, fields).touches_records


def test_a_label_or_order_change_touches_no_record() -> None:
    before = [spec("stars")]
    after = [FieldSpec("stars", "Rating", T.NUMBER, sort_order=5, config={"help": "1-5"})]
    assert not field_changes(before, after).touches_records


def test_a_removed_field_leaves_every_record() -> None:
    assert field_changes([spec("stars"), spec("kind", T.TEXT)], [spec("stars")]).removed == ("kind",)


def test_a_new_optional_field_needs_no_check() -> None:
    assert not field_changes([], [spec("stars")]).touches_records


def test_a_new_required_field_without_default_is_checked_with_one_gets_its_default() -> None:
    assert field_changes([], [spec("stars", required=True)]).recheck == ("stars",)
    changes = field_changes([], [spec("stars", required=True, default_value=3)])
    assert changes.backfill == {"stars": 3} and changes.recheck == ()


def test_a_field_made_required_is_checked_unless_it_has_a_default() -> None:
    assert field_changes([spec("stars")], [spec("stars", required=True)]).recheck == ("stars",)
    assert field_changes([spec("stars")], [spec("stars", required=True, default_value=1)]).backfill == {"stars": 1}


def test_a_changed_type_or_a_removed_option_is_checked() -> None:
    assert field_changes([spec("stars", T.TEXT)], [spec("stars", T.NUMBER)]).recheck == ("stars",)
    before, after = spec("k", T.ENUM, options=("a", "b")), spec("k", T.ENUM, options=("a",))
    assert field_changes([before], [after]).recheck == ("k",)
    assert field_changes([after], [before]).recheck == ()
