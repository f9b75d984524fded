"""views's part of the clone saga over the bus: an event's saved views copied into its clone with every id
remapped and a name of their own, repeated without a second copy, and dropped again."""

from typing import Any

import pytest
import sqlalchemy as sa
from views_svc.adapters.tables import saved_view

from plenary_contracts.errors import BadRequest, ValidationFailed
from plenary_contracts.id_map import derived_id
from plenary_contracts.saga_parts import COPY_EVENT_PART, DROP_EVENT_PART
from plenary_kit.ids import new_id

from .conftest import ADMIN, COLLEAGUE, OTHER_TENANT, TENANT

SOURCE, TARGET, ELSEWHERE = "event-2026", "event-2027", "event-other"
TYPE, FIELD, STEP = "type-delegate", "field-diet", "step-review"
ID_MAP = {TYPE: "type-delegate-2027", FIELD: "field-diet-2027", STEP: "step-review-2027"}
COPY = COPY_EVENT_PART["views"]
DROP = DROP_EVENT_PART["views"]


def _request(operation_id: str, *, views: bool = True, source: str = SOURCE) -> dict[str, Any]:
    return {
        "operationId": operation_id,
        "sourceEventId": source,
        "targetEventId": TARGET,
        "targetEventName": "Congress 2027",
        "elements": {"views": views, "checkpoints": True},
        "idMap": ID_MAP,
    }


async def _view(service, name: str, *, user: str | None = ADMIN, tenant: str = TENANT, event: str = SOURCE, **more):
    values = {
        "id": new_id(),
        "tenant_id": tenant,
        "user_id": user,
        "name": name,
        "entity_type": "participant",
        "view_type": "KANBAN",
        "filters": [
            {"type": "simple", "field": "participantTypeId", "operator": "in", "value": [TYPE, "type-unknown"]},
            {"type": "simple", "field": FIELD, "operator": "eq", "value": "vegan"},
        ],
        "sorts": [{"field": FIELD, "direction": "asc"}],
        "columns": [{"field": FIELD, "label": "Diet", "visible": True}],
        "config": {"eventId": event, "groupBy": "status", "stepId": STEP},
        "is_default": True,
    } | more
    await service.execute(sa.insert(saved_view).values(**values))
    return values["id"]


async def _rows(service, *where) -> list[Any]:
    async with service.runtime.engine.connect() as conn:
        return (await conn.execute(sa.select(saved_view).where(*where).order_by(saved_view.c.name))).all()


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


async def test_an_events_views_are_copied_into_the_clone_with_every_id_remapped_and_a_name_of_their_own(views):
    mine = await _view(views, "Delegates")
    theirs = await _view(views, "Board", user=COLLEAGUE, is_shared=True, entity_type="progress")
    await _view(views, "Delegates (Congress 2027)", event=ELSEWHERE)  # the name the copy would take is held
    await _view(views, "Elsewhere", event=ELSEWHERE)
    await _view(views, "Other tenant", tenant=OTHER_TENANT)
    operation = new_id()

    copied = await views.call(COPY, _request(operation))

    assert copied.counts == {"views": 2}
    assert copied.id_map == {mine: derived_id(operation, mine), theirs: derived_id(operation, theirs)}
    rows = await _rows(views, saved_view.c.config["eventId"].astext == TARGET)
    assert {r.id for r in rows} == set(copied.id_map.values())
    by_owner = {r.user_id: r for r in rows}
    assert by_owner[ADMIN].name == "Delegates (Congress 2027 2)"
    assert (by_owner[COLLEAGUE].name, by_owner[COLLEAGUE].entity_type) == ("Board (Congress 2027)", "progress")
    assert (by_owner[COLLEAGUE].is_shared, by_owner[ADMIN].is_shared) == (True, False)
    assert not any(r.is_default for r in rows)  # the owner's default stays the source
    copy = by_owner[ADMIN]
    assert copy.filters[0]["value"] == [ID_MAP[TYPE], "type-unknown"]  # an id outside the copy is left as is
    assert copy.filters[1]["field"] == ID_MAP[FIELD]
    assert copy.sorts == [{"field": ID_MAP[FIELD], "direction": "asc"}]
    assert copy.columns[0]["field"] == ID_MAP[FIELD]
    assert copy.config == {"eventId": TARGET, "groupBy": "status", "stepId": ID_MAP[STEP]}
    for row in rows:  # every reference inside the clone points inside the clone
        inside = _strings([row.filters, row.sorts, row.columns, row.config])
        assert not set(inside) & ({SOURCE} | set(ID_MAP)), inside
    source_rows = await _rows(views, saved_view.c.config["eventId"].astext == SOURCE)
    assert {r.name for r in source_rows if r.tenant_id == TENANT} == {"Delegates", "Board"}
    assert all(r.is_default for r in source_rows)


async def test_a_repeated_copy_answers_the_same_and_copies_nothing_twice(views):
    await _view(views, "Delegates")
    await _view(views, "Arrivals", user=None, is_shared=True)
    operation = new_id()
    first = await views.call(COPY, _request(operation))
    before = await _rows(views, saved_view.c.tenant_id == TENANT)

    again = await views.call(COPY, _request(operation))

    assert again == first
    after = await _rows(views, saved_view.c.tenant_id == TENANT)
    assert [(r.id, r.name, r.updated_at) for r in after] == [(r.id, r.name, r.updated_at) for r in before]
    assert len(after) == 4


async def test_views_not_asked_for_or_of_an_unknown_event_copy_nothing(views):
    await _view(views, "Delegates")
    assert (await views.call(COPY, _request(new_id(), views=False))).counts == {}
    unknown = await views.call(COPY, _request(new_id(), source="no-such-event"))
    assert (unknown.counts, unknown.id_map) == ({"views": 0}, {})
    assert (await views.call(COPY, _request(new_id()), tenant=OTHER_TENANT)).counts == {"views": 0}
    assert len(await _rows(views, saved_view.c.config["eventId"].astext == TARGET)) == 0


async def test_a_request_without_its_ids_or_tenant_is_refused(views):
    unchecked = COPY.request.model_construct(source_event_id=SOURCE, target_event_id=TARGET)  # sent as it is
    with pytest.raises(ValidationFailed):
        await views.call(COPY, unchecked)
    with pytest.raises(ValidationFailed):
        await views.call(DROP, DROP.request.model_construct(operation_id=new_id()))
    with pytest.raises(BadRequest):
        await views.call(COPY, _request(new_id()), tenant=None)


async def test_the_drop_deletes_the_clones_views_only_and_is_idempotent(views):
    await _view(views, "Delegates")
    await _view(views, "Board", user=COLLEAGUE)
    theirs = await _view(views, "Clone of theirs", tenant=OTHER_TENANT, event=TARGET)
    operation = new_id()
    await views.call(COPY, _request(operation))

    dropped = await views.call(DROP, {"operationId": operation, "targetEventId": TARGET})

    assert dropped.counts == {"views": 2}
    assert await _rows(views, saved_view.c.tenant_id == TENANT, saved_view.c.config["eventId"].astext == TARGET) == []
    assert len(await _rows(views, saved_view.c.config["eventId"].astext == SOURCE)) == 2
    assert [r.id for r in await _rows(views, saved_view.c.tenant_id == OTHER_TENANT)] == [theirs]
    assert (await views.call(DROP, {"operationId": operation, "targetEventId": TARGET})).counts == {"views": 0}
