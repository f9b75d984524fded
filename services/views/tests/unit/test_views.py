"""Saved views' rules: ownership, the copy counter, what each layout needs, a stored view against its fields."""

from datetime import UTC, datetime

from views_svc.domain.fields import (
    EntityField,
    ViewShape,
    field_problems,
    missing_fields,
    names_fields,
    shape_problems,
)
from views_svc.domain.running import all_of, in_column, in_range, range_problems, selected_columns
from views_svc.domain.views import Layout, copy_name, edition_name, layout_problems, orphan_name, owns, visible

from plenary_contracts.enums import ViewType

FIELDS = {
    "status": EntityField("status", "ENUM", groupable=True),
    "registeredAt": EntityField("registeredAt", "DATETIME"),
    "dietaryNeeds": EntityField("dietaryNeeds", "TEXT"),
    "photo": EntityField("photo", "IMAGE", filterable=False, sortable=False),
    "age": EntityField("age", "NUMBER"),
}


def _simple(field: str, operator: str = "eq", value: object = "x") -> dict:
    return {"type": "simple", "field": field, "operator": operator, "value": value}


def _shape(filters=(), sorts=(), columns=(), layout: Layout | None = None) -> ViewShape:
    return ViewShape(list(filters), list(sorts), list(columns), layout or Layout(ViewType.TABLE))


def test_only_the_owner_changes_a_view_and_an_ownerless_view_belongs_to_nobody():
    assert owns("u1", "u1")
    assert not owns("u1", "u2")
    assert not owns(None, "u1")


def test_one_sees_ones_own_views_and_shared_ones_only():
    assert visible("u1", False, "u1")
    assert visible("u2", True, "u1")
    assert visible(None, True, "u1")
    assert not visible("u2", False, "u1")


def test_a_copy_is_named_copy_then_copy_2_then_the_first_free_counter():
    assert copy_name("Delegates", set()) == "Delegates (copy)"
    assert copy_name("Delegates", {"Delegates (copy)"}) == "Delegates (copy 2)"
    taken = {"Delegates (copy)", "Delegates (copy 2)", "Delegates (copy 4)"}
    assert copy_name("Delegates", taken) == "Delegates (copy 3)"


def test_a_copy_of_a_long_name_stays_within_the_name_limit():
    name = "x" * 200
    copied = copy_name(name, {copy_name(name, set())})
    assert len(copied) <= 200
    assert copied.endswith(" (copy 2)")


def test_an_orphaned_shared_view_keeps_its_name_unless_another_ownerless_view_holds_it():
    assert orphan_name("Board", set()) == "Board"
    assert orphan_name("Board", {"Board"}) == "Board (copy)"
    assert orphan_name("Board", {"Board", "Board (copy)"}) == "Board (copy 2)"


def test_each_layout_needs_its_field_and_a_table_needs_none():
    assert layout_problems(Layout(ViewType.TABLE)) == []
    assert layout_problems(Layout(ViewType.KANBAN)) == [(("config", "groupBy"), "a KANBAN view needs groupBy")]
    assert layout_problems(Layout(ViewType.CALENDAR))[0][0] == ("config", "dateField")
    assert layout_problems(Layout(ViewType.GALLERY))[0][0] == ("config", "coverField")
    assert layout_problems(Layout(ViewType.KANBAN, group_by="status")) == []


def test_filters_are_checked_as_conditions_before_any_field():
    problems = shape_problems([_simple("status"), {"type": "simple", "field": "a", "operator": "like"}])
    assert problems and all(loc[:2] == ("filters", 1) for loc, _ in problems)


def test_a_view_naming_fields_its_entity_has_is_valid():
    view = _shape(
        filters=[_simple("status", "in", ["APPROVED"]), _simple("dietaryNeeds", "contains", "vegan")],
        sorts=["registeredAt"],
        columns=["status", "photo"],
        layout=Layout(ViewType.KANBAN, group_by="status", cover_field="photo"),
    )
    assert field_problems(view, FIELDS) == []


def test_unknown_fields_are_named_where_the_view_names_them_even_inside_compound_filters():
    nested = {"type": "compound", "operator": "or", "conditions": [_simple("status"), _simple("hotel")]}
    view = _shape(
        filters=[nested], sorts=["shoeSize"], columns=["badge"], layout=Layout(ViewType.GALLERY, cover_field="x")
    )
    problems = dict(field_problems(view, FIELDS))
    assert problems[("filters", 0, "conditions", 1, "field")] == "unknown field 'hotel'"
    assert problems[("sorts", 0, "field")] == "unknown field 'shoeSize'"
    assert problems[("columns", 0, "field")] == "unknown field 'badge'"
    assert problems[("config", "coverField")] == "unknown field 'x'"
    assert missing_fields(view, FIELDS) == ["hotel", "shoeSize", "badge", "x"]


def test_fields_must_do_what_the_view_asks_filter_sort_group_and_hold_a_date():
    view = _shape(
        filters=[_simple("photo", "notEmpty", None), _simple("age", "contains", "3")],
        sorts=["photo"],
        layout=Layout(ViewType.CALENDAR, date_field="dietaryNeeds", group_by="age"),
    )
    problems = dict(field_problems(_shape(layout=Layout(ViewType.KANBAN, group_by="age")), FIELDS))
    assert problems == {("config", "groupBy"): "'age' cannot group a kanban"}
    problems = dict(field_problems(view, FIELDS))
    assert problems[("filters", 0, "field")] == "'photo' cannot be filtered on"
    assert ("filters", 1, "operator") in problems  # a number does not take contains
    assert problems[("sorts", 0, "field")] == "'photo' does not sort"
    assert problems[("config", "dateField")] == "'dietaryNeeds' is no date"


def test_filters_run_as_one_condition_all_of_them_holding():
    assert all_of([]) is None
    assert all_of([_simple("a")]) == _simple("a")
    assert all_of([_simple("a"), _simple("b")]) == {
        "type": "compound",
        "operator": "and",
        "conditions": [_simple("a"), _simple("b")],
    }


def test_a_kanban_column_is_its_value_or_the_empty_column():
    assert in_column("status", "APPROVED") == _simple("status", "eq", "APPROVED")
    assert in_column("status", None) == _simple("status", "empty", None)


def test_a_calendar_range_holds_rows_dated_in_it_or_spanning_into_it():
    dated = in_range(Layout(ViewType.CALENDAR, date_field="d"), "2026-05-01", "2026-06-01")
    assert dated["conditions"] == [_simple("d", "gte", "2026-05-01"), _simple("d", "lt", "2026-06-01")]
    spanning = in_range(Layout(ViewType.CALENDAR, date_field="d", end_date_field="e"), "2026-05-01", "2026-06-01")
    assert spanning["conditions"][0] == _simple("d", "lt", "2026-06-01")
    assert spanning["conditions"][1]["operator"] == "or"
    assert spanning["conditions"][1]["conditions"][1] == _simple("e", "gte", "2026-05-01")


def test_selected_columns_add_the_layouts_fields_once_and_none_means_every_field():
    gallery = Layout(ViewType.GALLERY, cover_field="photo", title_field="name")
    assert selected_columns([], gallery) == []
    assert selected_columns(["name", "status"], gallery) == ["name", "status", "photo"]


def test_a_calendar_needs_both_ends_of_its_range_in_order():
    may, june = datetime(2026, 5, 1, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC)
    assert range_problems(may, june) == []
    assert range_problems(None, june) == [(("from",), "a CALENDAR view needs a date range: from and to")]
    assert range_problems(may, None)[0][0] == ("to",)
    assert range_problems(june, may) == [(("to",), "must be after from")]
    assert range_problems(may, may) == [(("to",), "must be after from")]


def test_a_view_naming_no_field_and_needing_no_list_asks_its_owner_nothing():
    assert not names_fields(_shape())
    assert names_fields(_shape(columns=["name"]))
    assert names_fields(_shape(layout=Layout(ViewType.KANBAN, group_by="status")))


def test_a_view_copied_into_a_clone_is_named_after_the_target_event_then_counted():
    assert edition_name("Delegates", "Congress 2027", set()) == "Delegates (Congress 2027)"
    taken = {"Delegates (Congress 2027)", "Delegates (Congress 2027 2)"}
    assert edition_name("Delegates", "Congress 2027", taken) == "Delegates (Congress 2027 3)"
    long = edition_name("x" * 200, "E" * 300, set())
    assert len(long) == 200 and long.endswith(f"({'E' * 80})")
