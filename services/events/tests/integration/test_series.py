"""Event series and editions over the bus: edition counts, editions by number, one series per
event, numbers unique per series, no deleting a series with editions."""

import pytest

from plenary_contracts.access import etag_of
from plenary_contracts.catalog import events as contract
from plenary_contracts.errors import (
    BadRequest,
    Conflict,
    FeatureDisabled,
    NotFound,
    PreconditionFailed,
    ValidationFailed,
)

from .conftest import OTHER_TENANT


async def _series(events, name: str = "World Summit", **fields) -> contract.Series:
    return await events.call(contract.CREATE_SERIES, {"name": name} | fields)


async def _edition(events, series_id: str, event_id: str, number: int, **fields) -> contract.Edition:
    body = {"seriesId": series_id, "eventId": event_id, "editionNumber": number, "year": 2020 + number} | fields
    return await events.call(contract.ADD_EDITION, body)


async def test_a_series_lists_with_edition_counts_and_reads_with_editions_by_number(events):
    summits = await _series(events, description="Yearly")
    await _series(events, "Forums")
    second, first = await events.event("Summit II"), await events.event("Summit I")
    await _edition(events, summits.id, second.id, 2, hostCountry="KE", hostCity="Nairobi")
    await _edition(events, summits.id, first.id, 1)

    listed = await events.call(contract.LIST_SERIES, {"sort": "name:asc"})
    assert [(s.name, s.edition_count, s.editions) for s in listed.data] == [
        ("Forums", 0, None),
        ("World Summit", 2, None),
    ]
    by_count = await events.call(contract.LIST_SERIES, {"sort": "editionCount:desc"})
    assert by_count.data[0].id == summits.id
    got = await events.call(contract.GET_SERIES, {"id": summits.id})
    assert [(e.edition_number, e.event_id) for e in got.editions or []] == [(1, first.id), (2, second.id)]
    assert (got.edition_count, got.editions[1].host_city) == (2, "Nairobi")
    with pytest.raises(NotFound):
        await events.call(contract.GET_SERIES, {"id": summits.id}, tenant=OTHER_TENANT)
    assert (await events.call(contract.LIST_SERIES, {}, tenant=OTHER_TENANT)).data == []


async def test_series_names_are_unique_and_updates_honour_if_match(events):
    summits = await _series(events, description="Yearly")
    await _series(events, "Forums")
    with pytest.raises(Conflict):
        await _series(events)
    await events.call(contract.CREATE_SERIES, {"name": "World Summit"}, tenant=OTHER_TENANT)
    with pytest.raises(Conflict):
        await events.call(contract.UPDATE_SERIES, {"id": summits.id, "name": "Forums"})
    with pytest.raises(PreconditionFailed):
        await events.call(contract.UPDATE_SERIES, {"id": summits.id, "name": "x"}, if_match='"1"')
    renamed = await events.call(
        contract.UPDATE_SERIES,
        {"id": summits.id, "name": "Summits", "description": None},
        if_match=etag_of(summits.updated_at),
    )
    assert (renamed.name, renamed.description, renamed.editions) == ("Summits", None, [])
    (updated,) = await events.events(contract.SERIES_UPDATED)
    assert updated["series"]["name"] == "Summits"


async def test_a_series_with_editions_cannot_be_deleted_until_they_are_removed(events):
    summits = await _series(events)
    event = await events.event()
    edition = await _edition(events, summits.id, event.id, 1)
    with pytest.raises(BadRequest) as refused:
        await events.call(contract.DELETE_SERIES, {"id": summits.id})
    assert "1 edition" in refused.value.message
    removed = await events.call(contract.REMOVE_EDITION, {"seriesId": summits.id, "id": edition.id})
    assert removed == contract.EditionRef(series_id=summits.id, id=edition.id)
    assert (await events.call(contract.GET_EVENT, {"id": event.id})).id == event.id  # the event stays
    assert await events.call(contract.DELETE_SERIES, {"id": summits.id}) == contract.SeriesRef(id=summits.id)
    with pytest.raises(NotFound):
        await events.call(contract.GET_SERIES, {"id": summits.id})
    (removed_event,) = await events.events(contract.EDITION_REMOVED)
    assert removed_event["edition"]["id"] == edition.id
    (deleted,) = await events.events(contract.SERIES_DELETED)
    assert deleted["series"]["id"] == summits.id


async def test_an_event_is_an_edition_of_one_series_and_numbers_are_unique_per_series(events):
    summits, forums = await _series(events), await _series(events, "Forums")
    one, two = await events.event("One"), await events.event("Two")
    await _edition(events, summits.id, one.id, 1)
    with pytest.raises(Conflict) as clash:
        await _edition(events, forums.id, one.id, 1)
    assert "already an edition" in clash.value.message
    with pytest.raises(Conflict) as clash:
        await _edition(events, summits.id, two.id, 1)
    assert "edition with this number" in clash.value.message
    other = await _edition(events, forums.id, two.id, 1)
    assert other.series_id == forums.id


async def test_an_edition_needs_a_live_event_of_the_tenant_and_a_plausible_year(events):
    summits = await _series(events)
    theirs = await events.event(tenant=OTHER_TENANT)
    with pytest.raises(NotFound):
        await _edition(events, summits.id, theirs.id, 1)
    with pytest.raises(NotFound):
        await _edition(events, summits.id, "no-such-event", 1)
    mine = await events.event()
    with pytest.raises(NotFound):
        await events.call(
            contract.ADD_EDITION,
            {"seriesId": summits.id, "eventId": theirs.id, "editionNumber": 1, "year": 2026},
            tenant=OTHER_TENANT,
        )
    for year in (1899, 2101):
        unchecked = contract.AddEdition.model_construct(
            series_id=summits.id, event_id=mine.id, edition_number=1, year=year
        )
        with pytest.raises(ValidationFailed):
            await events.call(contract.ADD_EDITION, unchecked)
    with pytest.raises(ValidationFailed):
        await events.call(
            contract.ADD_EDITION,
            contract.AddEdition.model_construct(series_id=summits.id, event_id=mine.id, edition_number=0, year=2026),
        )


async def test_an_edition_changes_with_if_match_and_leaves_with_its_event(events):
    summits = await _series(events)
    one, two = await events.event("One"), await events.event("Two")
    first = await _edition(events, summits.id, one.id, 1, notes="opening")
    await _edition(events, summits.id, two.id, 2)
    with pytest.raises(Conflict):
        await events.call(contract.UPDATE_EDITION, {"seriesId": summits.id, "id": first.id, "editionNumber": 2})
    with pytest.raises(PreconditionFailed):
        await events.call(
            contract.UPDATE_EDITION, {"seriesId": summits.id, "id": first.id, "year": 2030}, if_match='"1"'
        )
    changed = await events.call(
        contract.UPDATE_EDITION,
        {"seriesId": summits.id, "id": first.id, "year": 2030, "hostCity": "Addis Ababa", "notes": None},
        if_match=etag_of(first.updated_at),
    )
    assert (changed.edition_number, changed.year, changed.host_city, changed.notes) == (1, 2030, "Addis Ababa", None)
    with pytest.raises(NotFound):
        await events.call(contract.UPDATE_EDITION, {"seriesId": summits.id, "id": first.id}, tenant=OTHER_TENANT)
    (updated,) = await events.events(contract.EDITION_UPDATED)
    assert updated["edition"]["year"] == 2030

    await events.call(contract.DELETE_EVENT, {"id": one.id})
    got = await events.call(contract.GET_SERIES, {"id": summits.id})
    assert [e.event_id for e in got.editions or []] == [two.id] and got.edition_count == 1
    (removed,) = await events.events(contract.EDITION_REMOVED)
    assert removed["edition"]["eventId"] == one.id


async def test_series_operations_are_refused_while_the_event_clone_flag_is_off(events):
    with pytest.raises(FeatureDisabled):
        await events.call(contract.CREATE_SERIES, {"name": "Unflagged"}, tenant="tenant-without-the-flag")
