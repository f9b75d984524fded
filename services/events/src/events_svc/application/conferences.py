"""Events, the conferences this service is named for (not domain events): create, list, read (with
participant types and workflows), update (If-Match), soft delete, and the schema other services read an
event by."""

from plenary_contracts.catalog import events as contract
from plenary_contracts.errors import FieldError
from plenary_kit.acting import Loc, field_error, refuse, tenant, utcnow
from plenary_kit.db import UnitOfWork
from plenary_kit.ids import new_id
from plenary_kit.preconditions import require_if_match

from ..adapters import event_repository
from ..adapters import field_repository as fields
from ..adapters import series_repository as series
from ..adapters.event_repository import EventRecord
from ..domain.schedule import dates_problem, timezone_problem
from .common import events_in_reach, live_event, require_grant_for, touched

_CHANGEABLE = ("name", "description", "start_date", "end_date", "timezone", "status", "extras")


def _timezone_errors(timezone: str | None) -> list[FieldError]:
    problem = timezone_problem(timezone) if timezone is not None else None
    return [field_error(("body", "timezone"), problem)] if problem else []


def _publish(uow: UnitOfWork, spec, stored: EventRecord) -> contract.Event:  # type: ignore[no-untyped-def]
    changed = event_repository.to_event(stored)
    uow.publish(spec, contract.EventChanged(event=changed), subject=changed.id)
    return changed


async def create_event(request: contract.CreateEvent, uow: UnitOfWork) -> contract.Event:
    refuse("the event is not valid", _timezone_errors(request.timezone))
    now, event_id = utcnow(), new_id()
    await event_repository.insert_event(
        uow.session,
        {
            "id": event_id,
            "tenant_id": tenant(),
            "name": request.name,
            "description": request.description,
            "status": request.status,
            "start_date": request.start_date,
            "end_date": request.end_date,
            "timezone": request.timezone,
            "extras": request.extras,
            "created_at": now,
            "updated_at": now,
        },
    )
    return _publish(uow, contract.EVENT_CREATED, await live_event(uow, event_id))


async def list_events(request: contract.ListEvents, uow: UnitOfWork) -> contract.EventPage:
    reach = events_in_reach(contract.LIST_EVENTS.permission)
    found, meta = await event_repository.page_events(uow.session, tenant(), reach, request)
    return contract.EventPage(data=found, meta=meta)


async def get_event(request: contract.GetEvent, uow: UnitOfWork) -> contract.Event:
    found = await live_event(uow, request.id)
    require_grant_for(contract.GET_EVENT, found.id)
    expand = set((request.expand or "").split(","))
    types = (
        await event_repository.types_of(uow.session, found.tenant_id, found.id)
        if "participantTypes" in expand
        else None
    )
    workflows = (
        await event_repository.workflows_of(uow.session, found.tenant_id, found.id) if "workflows" in expand else None
    )
    return event_repository.to_event(found, types, workflows)


async def update_event(request: contract.UpdateEvent, uow: UnitOfWork) -> contract.Event:
    """A partial update: fields left out (or sent as null) keep their value."""
    current = await live_event(uow, request.id, for_update=True)
    require_grant_for(contract.UPDATE_EVENT, current.id)
    require_if_match(current.updated_at)
    values = {name: getattr(request, name) for name in _CHANGEABLE if getattr(request, name) is not None}
    start, end = values.get("start_date", current.start_date), values.get("end_date", current.end_date)
    order = dates_problem(start, end)
    at: Loc = ("body", "endDate" if "end_date" in values else "startDate")
    refuse(
        "the event is not valid",
        [*_timezone_errors(request.timezone), *([field_error(at, order)] if order else [])],
    )
    if not values:
        return event_repository.to_event(current)
    await event_repository.update_event(uow.session, current.id, values | {"updated_at": touched(current.updated_at)})
    return _publish(uow, contract.EVENT_UPDATED, await live_event(uow, current.id))


async def delete_event(request: contract.EventRef, uow: UnitOfWork) -> contract.EventRef:
    """Soft delete: the event is not found anywhere after, its name is free again, and it leaves its
    series (an edition of nothing would block the series' deletion for good)."""
    current = await live_event(uow, request.id, for_update=True)
    require_grant_for(contract.DELETE_EVENT, current.id)
    now = touched(current.updated_at)
    await event_repository.mark_event_deleted(uow.session, current.id, now)
    edition = await series.edition_of_event(uow.session, current.id, for_update=True)
    if edition is not None:
        await series.delete_edition(uow.session, edition.id)
        uow.publish(
            contract.EDITION_REMOVED, contract.EditionChanged(edition=series.to_edition(edition)), subject=edition.id
        )
    uow.publish(contract.EVENT_DELETED, contract.EventDeleted(event_id=current.id), subject=current.id)
    return contract.EventRef(id=current.id)


async def get_event_schema(request: contract.EventSchemaRef, uow: UnitOfWork) -> contract.EventSchema:
    """For services, not people: no event-scoped grant is checked (they call with their caller's)."""
    found = await live_event(uow, request.event_id)
    return contract.EventSchema(
        event=event_repository.to_event(found),
        participant_types=await event_repository.types_of(uow.session, found.tenant_id, found.id),
        field_definitions=await fields.effective_fields(uow.session, found.tenant_id, found.id),
    )
