"""Event series and their editions: series CRUD with edition counts, a series refused deletion
while it has editions, and editions that tie one live event to one series."""

from plenary_contracts.catalog import events as contract
from plenary_contracts.errors import BadRequest, NotFound
from plenary_kit.acting import tenant, utcnow
from plenary_kit.db import UnitOfWork
from plenary_kit.ids import new_id
from plenary_kit.preconditions import require_if_match

from ..adapters import series_repository as series
from ..adapters.series_repository import EditionRecord, SeriesRecord
from .common import live_event, require_grant_for, touched

_EDITION_DETAILS = ("edition_number", "year", "host_country", "host_city", "notes")


async def _series(uow: UnitOfWork, series_id: str, *, for_update: bool = False) -> SeriesRecord:
    found = await series.get_series(uow.session, series_id, tenant(), for_update=for_update)
    if found is None:
        raise NotFound(f"series {series_id} not found")
    return found


async def _edition(uow: UnitOfWork, series_id: str, edition_id: str, *, for_update: bool = False) -> EditionRecord:
    found = await series.get_edition(uow.session, edition_id, series_id, tenant(), for_update=for_update)
    if found is None:
        raise NotFound(f"edition {edition_id} not found")
    return found


def _publish_series(uow: UnitOfWork, spec, stored: SeriesRecord) -> contract.Series:  # type: ignore[no-untyped-def]
    changed = series.to_series(stored)
    uow.publish(spec, contract.SeriesChanged(series=changed), subject=changed.id)
    return changed


def _publish_edition(uow: UnitOfWork, spec, stored: EditionRecord) -> contract.Edition:  # type: ignore[no-untyped-def]
    changed = series.to_edition(stored)
    uow.publish(spec, contract.EditionChanged(edition=changed), subject=changed.id)
    return changed


# --- series --------------------------------------------------------------------------------------


async def create_series(request: contract.CreateSeries, uow: UnitOfWork) -> contract.Series:
    now, series_id = utcnow(), new_id()
    await series.insert_series(
        uow.session,
        {
            "id": series_id,
            "tenant_id": tenant(),
            "name": request.name,
            "description": request.description,
            "created_at": now,
            "updated_at": now,
        },
    )
    return _publish_series(uow, contract.SERIES_CREATED, await _series(uow, series_id))


async def list_series(request: contract.ListSeries, uow: UnitOfWork) -> contract.SeriesPage:
    found, meta = await series.page_series(uow.session, tenant(), request)
    return contract.SeriesPage(data=found, meta=meta)


async def get_series(request: contract.SeriesRef, uow: UnitOfWork) -> contract.Series:
    found = await _series(uow, request.id)
    return series.to_series(found, await series.editions_of(uow.session, found.id))


async def update_series(request: contract.UpdateSeries, uow: UnitOfWork) -> contract.Series:
    """The name changes when given; an explicit null clears the description."""
    current = await _series(uow, request.id, for_update=True)
    require_if_match(current.updated_at)
    values: dict[str, object] = {"name": request.name} if request.name is not None else {}
    if "description" in request.model_fields_set:
        values["description"] = request.description
    if values:
        await series.update_series(uow.session, current.id, values | {"updated_at": touched(current.updated_at)})
        current = await _series(uow, current.id)
        _publish_series(uow, contract.SERIES_UPDATED, current)
    return series.to_series(current, await series.editions_of(uow.session, current.id))


async def delete_series(request: contract.SeriesRef, uow: UnitOfWork) -> contract.SeriesRef:
    """Refused while editions remain: remove them first. The lock keeps an edition from being
    added meanwhile."""
    current = await _series(uow, request.id, for_update=True)
    if current.edition_count:
        raise BadRequest(f"the series has {current.edition_count} edition(s); remove them first")
    await series.delete_series(uow.session, current.id)
    _publish_series(uow, contract.SERIES_DELETED, current)
    return contract.SeriesRef(id=current.id)


# --- editions ------------------------------------------------------------------------------------


async def add_edition(request: contract.AddEdition, uow: UnitOfWork) -> contract.Edition:
    """The event must be a live event of the tenant and in no series yet; the number is unique in the
    series. The series is locked so it cannot be deleted under the new edition."""
    owner = await _series(uow, request.series_id, for_update=True)
    await live_event(uow, request.event_id, for_update=True)
    now, edition_id = utcnow(), new_id()
    await series.insert_edition(
        uow.session,
        {
            "id": edition_id,
            "tenant_id": owner.tenant_id,
            "series_id": owner.id,
            "event_id": request.event_id,
            "edition_number": request.edition_number,
            "year": request.year,
            "host_country": request.host_country,
            "host_city": request.host_city,
            "notes": request.notes,
            "created_at": now,
            "updated_at": now,
        },
    )
    return _publish_edition(uow, contract.EDITION_ADDED, await _edition(uow, owner.id, edition_id))


async def update_edition(request: contract.UpdateEdition, uow: UnitOfWork) -> contract.Edition:
    """Number and year change when given; explicit nulls clear the host country, city and notes."""
    await _series(uow, request.series_id)
    current = await _edition(uow, request.series_id, request.id, for_update=True)
    require_grant_for(contract.UPDATE_EDITION, current.event_id)
    require_if_match(current.updated_at)
    sent = request.model_fields_set
    values = {
        name: getattr(request, name)
        for name in _EDITION_DETAILS
        if name in sent and (getattr(request, name) is not None or name not in ("edition_number", "year"))
    }
    if not values:
        return series.to_edition(current)
    await series.update_edition(uow.session, current.id, values | {"updated_at": touched(current.updated_at)})
    return _publish_edition(uow, contract.EDITION_UPDATED, await _edition(uow, request.series_id, current.id))


async def remove_edition(request: contract.EditionRef, uow: UnitOfWork) -> contract.EditionRef:
    """The event leaves the series and stays an event."""
    await _series(uow, request.series_id)
    current = await _edition(uow, request.series_id, request.id, for_update=True)
    require_grant_for(contract.REMOVE_EDITION, current.event_id)
    await series.delete_edition(uow.session, current.id)
    _publish_edition(uow, contract.EDITION_REMOVED, current)
    return contract.EditionRef(series_id=request.series_id, id=current.id)
