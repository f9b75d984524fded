"""Saved views over the bus: the owner's rules, shared and private views, one default per entity type, copies
with a counter, layouts and fields checked against the entity's owner, the flag, other tenants."""

import pytest

from plenary_contracts.access import etag_of
from plenary_contracts.catalog import views as contract
from plenary_contracts.errors import (
    Conflict,
    FeatureDisabled,
    Forbidden,
    NotFound,
    PreconditionFailed,
    ValidationFailed,
)
from plenary_contracts.flags import FlagKey
from plenary_kit.testing.flags import put_flag
from plenary_kit.testing.plugin import eventually

from .conftest import COLLEAGUE, OTHER_TENANT

STATUS_IS = {"type": "simple", "field": "status", "operator": "in", "value": ["PUBLISHED"]}


def _locs(error: ValidationFailed) -> list[tuple]:
    return [tuple(e.loc) for e in error.errors]


async def test_a_view_is_created_with_its_filters_columns_and_layout_and_never_as_the_default(views):
    created = await views.view(
        "Board",
        viewType="KANBAN",
        filters=[STATUS_IS],
        sorts=[{"field": "startDate", "direction": "desc"}],
        columns=[
            {"field": "name", "label": "Name", "width": 240},
            {"field": "status", "label": "Status", "visible": False},
        ],
        config={"groupBy": "status"},
        isShared=True,
        isDefault=True,
    )
    assert (created.name, created.entity_type, created.view_type, created.is_shared) == (
        "Board",
        "event",
        "KANBAN",
        True,
    )
    assert created.is_default is False
    assert created.filters == [STATUS_IS]
    assert [(s.field, s.direction) for s in created.sorts] == [("startDate", "desc")]
    assert [(c.field, c.label, c.width, c.visible) for c in created.columns] == [
        ("name", "Name", 240, True),
        ("status", "Status", None, False),
    ]
    assert created.config.group_by == "status"
    assert created.user_id == created.owner.id
    with pytest.raises(Conflict):
        await views.view("Board")
    assert (await views.view("Board", actor=COLLEAGUE)).name == "Board"  # names are per owner


async def test_each_layout_needs_its_field_and_every_field_must_exist_where_the_view_names_it(views):
    with pytest.raises(ValidationFailed) as kanban:
        await views.view(viewType="KANBAN")
    assert _locs(kanban.value) == [("body", "config", "groupBy")]
    with pytest.raises(ValidationFailed) as unknown:
        await views.view(
            filters=[{"type": "simple", "field": "shoeSize", "operator": "eq", "value": "42"}],
            sorts=[{"field": "nope"}],
            columns=[{"field": "ghost", "label": "Ghost"}],
        )
    assert set(_locs(unknown.value)) == {
        ("body", "filters", 0, "field"),
        ("body", "sorts", 0, "field"),
        ("body", "columns", 0, "field"),
    }
    assert unknown.value.details["fields"] == ["shoeSize", "nope", "ghost"]
    with pytest.raises(ValidationFailed) as calendar:
        await views.view(viewType="CALENDAR", config={"dateField": "name"})
    assert _locs(calendar.value) == [("body", "config", "dateField")]
    with pytest.raises(ValidationFailed) as malformed:
        await views.view(filters=[{"type": "simple", "field": "status", "operator": "like", "value": "x"}])
    assert _locs(malformed.value)[0][:3] == ("body", "filters", 0)
    with pytest.raises(ValidationFailed) as no_event:
        await views.call(contract.CREATE_VIEW, {"name": "People", "entityType": "participant"})
    assert _locs(no_event.value) == [("body", "config", "eventId")]


async def test_only_the_owner_updates_or_deletes_a_view_and_others_see_only_shared_ones(views):
    private = await views.view("Mine")
    shared = await views.view("Ours", isShared=True)
    with pytest.raises(NotFound):
        await views.call(contract.GET_VIEW, {"id": private.id}, actor=COLLEAGUE)
    assert (await views.call(contract.GET_VIEW, {"id": shared.id}, actor=COLLEAGUE)).id == shared.id
    with pytest.raises(Forbidden, match="You can only update your own views"):
        await views.call(contract.UPDATE_VIEW, {"id": shared.id, "name": "Theirs"}, actor=COLLEAGUE)
    with pytest.raises(Forbidden, match="You can only delete your own views"):
        await views.call(contract.DELETE_VIEW, {"id": shared.id}, actor=COLLEAGUE)
    with pytest.raises(NotFound):
        await views.call(contract.UPDATE_VIEW, {"id": private.id, "name": "x"}, actor=COLLEAGUE)
    listed = await views.call(contract.LIST_VIEWS, {"entityType": "event"}, actor=COLLEAGUE)
    assert [v.name for v in listed.data] == ["Ours"]
    await views.call(contract.DELETE_VIEW, {"id": private.id})
    with pytest.raises(NotFound):
        await views.call(contract.GET_VIEW, {"id": private.id})


async def test_an_update_changes_what_is_sent_checks_it_and_honours_if_match(views):
    board = await views.view("Board")
    changed = await views.call(
        contract.UPDATE_VIEW, {"id": board.id, "viewType": "KANBAN", "config": {"groupBy": "status"}, "isShared": True}
    )
    assert (changed.view_type, changed.config.group_by, changed.is_shared, changed.name) == (
        "KANBAN",
        "status",
        True,
        "Board",
    )
    with pytest.raises(ValidationFailed) as bad:
        await views.call(contract.UPDATE_VIEW, {"id": board.id, "config": {}})
    assert _locs(bad.value) == [("body", "config", "groupBy")]
    with pytest.raises(PreconditionFailed):
        await views.call(contract.UPDATE_VIEW, {"id": board.id, "name": "x"}, if_match='"1"')
    renamed = await views.call(
        contract.UPDATE_VIEW, {"id": board.id, "name": "Renamed"}, if_match=etag_of(changed.updated_at)
    )
    assert renamed.name == "Renamed"


async def test_a_user_has_one_default_view_per_entity_type_listed_first(views):
    first, second = await views.view("B first"), await views.view("A second")
    assert (await views.call(contract.GET_DEFAULT_VIEW, {"entityType": "event"})).view is None
    await views.call(contract.UPDATE_VIEW, {"id": first.id, "isDefault": True})
    await views.call(contract.UPDATE_VIEW, {"id": second.id, "isDefault": True})
    default = (await views.call(contract.GET_DEFAULT_VIEW, {"entityType": "event"})).view
    assert default.id == second.id
    assert (await views.call(contract.GET_VIEW, {"id": first.id})).is_default is False
    assert (await views.call(contract.GET_DEFAULT_VIEW, {"entityType": "event"}, actor=COLLEAGUE)).view is None
    await views.view("0 shared", actor=COLLEAGUE, isShared=True)
    listed = await views.call(contract.LIST_VIEWS, {"entityType": "event"})
    assert [v.name for v in listed.data] == ["A second", "0 shared", "B first"]


async def test_copies_are_private_and_counted_so_a_second_copy_never_breaks_the_unique_name(views):
    source = await views.view("Delegates", isShared=True, filters=[STATUS_IS])
    await views.call(contract.UPDATE_VIEW, {"id": source.id, "isDefault": True})
    first = await views.call(contract.DUPLICATE_VIEW, {"id": source.id})
    second = await views.call(contract.DUPLICATE_VIEW, {"id": source.id})
    third = await views.call(contract.DUPLICATE_VIEW, {"id": source.id})
    assert [first.name, second.name, third.name] == ["Delegates (copy)", "Delegates (copy 2)", "Delegates (copy 3)"]
    assert (first.is_shared, first.is_default, first.filters) == (False, False, [STATUS_IS])
    theirs = await views.call(contract.DUPLICATE_VIEW, {"id": source.id}, actor=COLLEAGUE)
    assert (theirs.name, theirs.user_id) == ("Delegates (copy)", COLLEAGUE)
    await views.call(contract.DELETE_VIEW, {"id": second.id})
    assert (await views.call(contract.DUPLICATE_VIEW, {"id": source.id})).name == "Delegates (copy 2)"


async def test_another_tenants_views_are_not_found_and_the_flag_gates_every_operation(views):
    mine = await views.view("Mine", isShared=True)
    with pytest.raises(NotFound):
        await views.call(contract.GET_VIEW, {"id": mine.id}, tenant=OTHER_TENANT)
    with pytest.raises(NotFound):
        await views.call(contract.DUPLICATE_VIEW, {"id": mine.id}, tenant=OTHER_TENANT)
    assert (await views.call(contract.LIST_VIEWS, {}, tenant=OTHER_TENANT)).data == []
    await put_flag(views.nc, FlagKey.SAVED_VIEWS, tenants=(OTHER_TENANT,))

    async def off() -> bool:
        try:
            await views.call(contract.LIST_VIEWS, {})
        except FeatureDisabled:
            return True
        return False

    await eventually(off)
    with pytest.raises(FeatureDisabled):
        await views.view("Other")
