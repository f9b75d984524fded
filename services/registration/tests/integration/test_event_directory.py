"""The event directory: registration's read model of the events service's events, participant types and
fields, kept from their events (older ones never overwrite), filled on a miss by asking the events
service, and an event's deletion taking its participants with it."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from registration_svc.adapters import tables

from plenary_contracts.catalog import events
from plenary_contracts.catalog import registration as contract
from plenary_contracts.errors import NotFound, ValidationFailed
from plenary_kit.bus.rpc import error_reply, ok_reply
from plenary_kit.ids import new_id

from .conftest import TENANT

DIRECTORY = "registration_event_directory"


def _person(event_id: str, type_id: str, **fields: Any) -> dict[str, Any]:
    return {"eventId": event_id, "participantTypeId": type_id, "firstName": "Ada", "lastName": "Lovelace", **fields}


def _schema(*, tenant: str = TENANT) -> events.EventSchema:
    now = datetime.now(UTC)
    event_id, type_id = new_id(), new_id()
    stamp = {"tenant_id": tenant, "created_at": now, "updated_at": now}
    return events.EventSchema(
        event=events.Event(
            id=event_id, name="Fetched", description="", status="PUBLISHED", timezone="UTC",
            start_date=now + timedelta(days=5), end_date=now + timedelta(days=6), **stamp,
        ),
        participant_types=[events.ParticipantType(id=type_id, event_id=event_id, name="Speaker", code="SPK", **stamp)],
        field_definitions=[
            events.FieldDefinition(
                id=new_id(), event_id=event_id, entity_type="Participant", name="talk", label="Talk title",
                data_type="TEXT", sort_order=1, is_required=True, is_unique=False, is_searchable=False,
                is_filterable=False, **stamp,
            )
        ],
    )  # fmt: skip


async def _serve_schemas(registration, *schemas: events.EventSchema) -> None:
    """Answer GET_EVENT_SCHEMA as the events service would."""
    known = {s.event.id: s for s in schemas}

    async def answer(msg) -> None:  # type: ignore[no-untyped-def]
        wanted = events.EventSchemaRef.model_validate_json(msg.data)
        found = known.get(wanted.event_id)
        await msg.respond(ok_reply(found) if found else error_reply(NotFound("event not found")))

    await registration.nc.subscribe(events.GET_EVENT_SCHEMA.subject, cb=answer)
    await registration.nc.flush()


async def test_an_event_the_read_model_misses_is_fetched_and_kept(registration):
    schema = _schema()
    await _serve_schemas(registration, schema)
    type_id = schema.participant_types[0].id

    registered = await registration.call(
        contract.REGISTER_PARTICIPANT, _person(schema.event.id, type_id, extras={"talk": "Engines"})
    )

    assert registered.participant_type_code == "SPK"
    kept = await registration.execute(sa.select(tables.event.c.name).where(tables.event.c.id == schema.event.id))
    assert kept.scalar_one() == "Fetched"
    with pytest.raises(ValidationFailed) as refused:
        await registration.call(contract.REGISTER_PARTICIPANT, _person(schema.event.id, type_id, email="b@x.org"))
    assert [e.loc for e in refused.value.errors] == [["extras", "talk"]]


async def test_an_event_neither_the_read_model_nor_the_events_service_knows_is_not_found(registration):
    await _serve_schemas(registration)

    with pytest.raises(NotFound):
        await registration.call(contract.REGISTER_PARTICIPANT, _person("unknown-event", "some-type"))


async def test_older_changes_never_overwrite_newer_ones_and_series_events_are_acknowledged(registration):
    event = await registration.seed_event(fields=({"name": "talk", "dataType": "TEXT"},))
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    stale = {
        "id": event.id, "tenantId": TENANT, "name": "Stale name", "description": "", "status": "DRAFT",
        "startDate": past, "endDate": past, "timezone": "UTC", "createdAt": past, "updatedAt": past,
    }  # fmt: skip
    await registration.publish(events.EVENT_UPDATED, {"event": stale})
    now = datetime.now(UTC).isoformat()
    series = {"id": new_id(), "tenantId": TENANT, "name": "Summits", "createdAt": now, "updatedAt": now}
    await registration.publish(events.SERIES_CREATED, {"series": series})

    await registration.caught_up(DIRECTORY)

    held = (await registration.execute(sa.select(tables.event).where(tables.event.c.id == event.id))).one()
    assert held.name != "Stale name" and held.status == "PUBLISHED"


async def test_types_and_fields_follow_their_events(registration):
    event = await registration.seed_event(types=("DELEGATE", "PRESS"), fields=({"name": "talk", "dataType": "TEXT"},))
    later = (datetime.now(UTC) + timedelta(seconds=1)).isoformat()
    press = {"id": event.types["PRESS"], "eventId": event.id, "name": "Press", "code": "PRESS", "tenantId": TENANT,
             "createdAt": later, "updatedAt": later}  # fmt: skip
    talk = {"id": event.fields["talk"], "eventId": event.id, "entityType": "Participant", "name": "talk",
            "label": "Talk", "dataType": "TEXT", "sortOrder": 1, "isRequired": False, "isUnique": False,
            "isSearchable": False, "isFilterable": False, "tenantId": TENANT, "createdAt": later,
            "updatedAt": later}  # fmt: skip
    await registration.publish(events.PARTICIPANT_TYPE_DELETED, {"participantType": press})
    await registration.publish(events.FIELD_DEFINITION_DELETED, {"fieldDefinition": talk})
    await registration.publish(events.FIELD_DEFINITION_UPDATED, {"fieldDefinition": {**talk, "isRequired": True}})
    await registration.caught_up(DIRECTORY)

    with pytest.raises(NotFound):
        await registration.call(contract.REGISTER_PARTICIPANT, _person(event.id, event.types["PRESS"]))
    with pytest.raises(ValidationFailed) as refused:
        await registration.call(
            contract.REGISTER_PARTICIPANT, _person(event.id, event.types["DELEGATE"], extras={"talk": "x"})
        )
    assert refused.value.errors[0].msg == "is not a field of this event"


async def test_a_global_field_applies_to_every_event_of_the_tenant_unless_the_event_redefines_it(registration):
    now = datetime.now(UTC).isoformat()
    size = {"id": new_id(), "eventId": None, "entityType": "Participant", "name": "size", "label": "Size",
            "dataType": "ENUM", "sortOrder": 0, "isRequired": True, "isUnique": False, "isSearchable": False,
            "isFilterable": False, "config": {"options": [{"value": "S"}, {"value": "M"}]}, "tenantId": TENANT,
            "createdAt": now, "updatedAt": now}  # fmt: skip
    await registration.publish(events.FIELD_DEFINITION_CREATED, {"fieldDefinition": size})
    event = await registration.seed_event()
    free = await registration.seed_event(fields=({"name": "size", "dataType": "TEXT"},))
    await registration.caught_up(DIRECTORY)

    with pytest.raises(ValidationFailed):
        await registration.call(contract.REGISTER_PARTICIPANT, _person(event.id, event.type_id, extras={"size": "XL"}))
    redefined = await registration.call(
        contract.REGISTER_PARTICIPANT, _person(free.id, free.type_id, extras={"size": "XL"})
    )
    assert redefined.extras == {"size": "XL"}


async def test_deleting_an_event_deletes_its_participants_without_an_event_each(registration):
    event = await registration.seed_event()
    kept = await registration.seed_event()
    gone = [
        await registration.call(contract.REGISTER_PARTICIPANT, _person(event.id, event.type_id, email=f"{n}@x.org"))
        for n in range(2)
    ]
    other = await registration.call(contract.REGISTER_PARTICIPANT, _person(kept.id, kept.type_id, email="k@x.org"))

    await registration.publish(events.EVENT_DELETED, {"eventId": event.id})
    await registration.caught_up(DIRECTORY)

    participant = tables.participant
    rows = await registration.execute(sa.select(participant.c.id, participant.c.deleted_at))
    deleted = {r.id for r in rows if r.deleted_at is not None}
    assert deleted == {p.id for p in gone}
    with pytest.raises(NotFound):
        await registration.call(contract.GET_PARTICIPANT, {"eventId": event.id, "id": gone[0].id})
    with pytest.raises(NotFound):
        await registration.call(contract.REGISTER_PARTICIPANT, _person(event.id, event.type_id, email="late@x.org"))
    assert (await registration.call(contract.GET_PARTICIPANT, {"eventId": kept.id, "id": other.id})).id == other.id
    assert await registration.events(contract.PARTICIPANT_DELETED) == []
    assert await registration.events(contract.SLOTS_FREED) == []
    keys = await registration.execute(
        sa.select(sa.func.count()).where(tables.blocking_key.c.participant_id.in_([p.id for p in gone]))
    )
    assert keys.scalar_one() == 0


async def test_a_deletion_seen_before_the_creation_keeps_the_event_deleted(registration):
    event_id = new_id()
    await registration.publish(events.EVENT_DELETED, {"eventId": event_id})
    await registration.caught_up(DIRECTORY)
    now = datetime.now(UTC).isoformat()
    late = {"id": event_id, "tenantId": TENANT, "name": "Late", "description": "", "status": "PUBLISHED",
            "startDate": now, "endDate": now, "timezone": "UTC", "createdAt": now, "updatedAt": now}  # fmt: skip
    await registration.publish(events.EVENT_CREATED, {"event": late})
    await registration.caught_up(DIRECTORY)

    with pytest.raises(NotFound):
        await registration.call(contract.LIST_PARTICIPANTS, {"eventId": event_id})
