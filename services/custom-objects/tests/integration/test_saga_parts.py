"""custom-objects' part of erasing a person: records about them deleted, records that mention them blanked
where they do, nothing of them left in any table of the schema, and nobody else touched."""

import sqlalchemy as sa

from plenary_contracts.catalog import custom_objects as contract
from plenary_contracts.saga_parts import ERASE_PERSON, ErasePerson
from plenary_kit.ids import new_id
from plenary_kit.testing.schema import rows_holding

from .conftest import OTHER_TENANT, TENANT, eventually

SPEC = ERASE_PERSON["custom-objects"]
NAME = "Ada Lovelace"
EMAIL = "Ada.Lovelace@example.org"
VISA_FIELDS = [
    {"name": "participant", "label": "Participant", "dataType": "REFERENCE"},
    {"name": "passport", "label": "Passport", "dataType": "TEXT", "sortOrder": 1},
    {"name": "notes", "label": "Notes", "dataType": "LONG_TEXT", "sortOrder": 2},
]


async def _published(service) -> None:
    outbox = service.runtime.spec.messaging.outbox
    unpublished = sa.select(sa.func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
    await eventually(lambda: _is_zero(service, unpublished), timeout=20)


async def _is_zero(service, query) -> bool:
    return await service.scalar(query) == 0


def _erase(person: str, email: str | None = EMAIL) -> ErasePerson:
    return ErasePerson(erasure_id=new_id(), participant_id=person, event_id=new_id(), email=email)


async def _seeded(service):
    """The person's visa (a reference to them), another person's, a hotel whose contact is the person's address,
    another hotel, and the other tenant's visa naming the same participant id."""
    person, other = new_id(), new_id()
    visas = await service.definition("Visas", fields=VISA_FIELDS)
    hotels = await service.definition("Hotels")
    theirs = await service.record(visas.id, {"participant": person, "passport": "P-991", "notes": f"for {NAME}"})
    someone_elses = await service.record(visas.id, {"participant": other, "passport": "Q-7", "notes": "for Grace"})
    contact = await service.record(hotels.id, {"name": "Grand", "email": EMAIL.upper(), "kind": "hotel"})
    plain = await service.record(hotels.id, {"name": "Hostel", "email": "desk@example.org", "kind": "hostel"})
    foreign = await service.definition("Visas", fields=VISA_FIELDS, tenant=OTHER_TENANT)
    kept = await service.record(foreign.id, {"participant": person, "passport": "Z-1"}, tenant=OTHER_TENANT)
    await _published(service)
    return person, (visas, hotels), (theirs, someone_elses, contact, plain, kept)


async def test_erasing_a_person_deletes_records_about_them_and_blanks_their_address_elsewhere(service):
    person, (visas, hotels), (_theirs, someone_elses, contact, plain, kept) = await _seeded(service)
    assert await rows_holding(service.runtime.engine, "custom_objects", NAME, EMAIL)  # the person is there before

    receipt = await service.call(SPEC, _erase(person))

    assert receipt.service == "custom-objects"
    assert receipt.erased["custom_object_record"] == 1
    assert receipt.anonymised == {"custom_object_record": 1}
    assert await rows_holding(service.runtime.engine, "custom_objects", NAME, EMAIL) == {}
    records = contract.GET_RECORD
    missing = await service.call(contract.LIST_RECORDS, {"definitionId": visas.id})
    assert [r.id for r in missing.data] == [someone_elses.id]
    blanked = await service.call(records, {"definitionId": hotels.id, "id": contact.id})
    assert blanked.data == {"name": "Grand", "kind": "hotel", "stars": 3}
    assert blanked.updated_at > contact.updated_at
    assert (await service.call(records, {"definitionId": hotels.id, "id": plain.id})).data == plain.data
    other_tenant = await service.call(records, {"definitionId": kept.definition_id, "id": kept.id}, tenant=OTHER_TENANT)
    assert other_tenant.data == kept.data


async def test_the_changes_are_told_by_the_usual_record_events_without_the_persons_data(service):
    person, _, (theirs, _, contact, _, _) = await _seeded(service)

    await service.call(SPEC, _erase(person))

    deleted = await service.events(contract.RECORD_DELETED)
    assert [(e["record"]["id"], e["record"]["data"]) for e in deleted] == [(theirs.id, {})]
    updated = await service.events(contract.RECORD_UPDATED)
    assert [(e["record"]["id"], e["record"]["data"]) for e in updated] == [
        (contact.id, {"name": "Grand", "kind": "hotel", "stars": 3})
    ]


async def test_erasing_again_finds_nothing_left(service):
    person, _, _ = await _seeded(service)
    await service.call(SPEC, _erase(person))
    await _published(service)

    again = await service.call(SPEC, _erase(person))

    assert again.erased == {"custom_object_record": 0, "idempotency_key": 0}
    assert again.anonymised == {"custom_object_record": 0}


async def test_the_same_erasure_asked_twice_with_its_key_answers_the_same_receipt(service):
    person, _, _ = await _seeded(service)
    request = _erase(person)
    key = f"{request.erasure_id}:custom-objects"

    first = await service.call(SPEC, request, idempotency_key=key)
    second = await service.call(SPEC, request, idempotency_key=key)

    assert second == first
    assert first.erased["custom_object_record"] == 1


async def test_an_unknown_participant_erases_nothing(service):
    _, (visas, hotels), _records = await _seeded(service)

    receipt = await service.call(SPEC, _erase(new_id(), "nobody@example.org"))

    assert receipt.erased == {"custom_object_record": 0, "idempotency_key": 0}
    assert receipt.anonymised == {"custom_object_record": 0}
    assert (await service.call(contract.LIST_RECORDS, {"definitionId": visas.id})).meta.total == 2
    assert (await service.call(contract.LIST_RECORDS, {"definitionId": hotels.id})).meta.total == 2


async def test_without_an_address_only_what_names_the_participant_id_goes(service):
    person, (_visas, hotels), (_theirs, _, contact, _, _) = await _seeded(service)

    receipt = await service.call(SPEC, _erase(person, email=None))

    assert receipt.erased["custom_object_record"] == 1
    assert receipt.anonymised == {"custom_object_record": 0}
    still = await service.call(contract.GET_RECORD, {"definitionId": hotels.id, "id": contact.id})
    assert still.data["email"] == EMAIL.upper()


async def test_the_other_tenants_records_naming_the_same_id_stay(service):
    person, _, (_, _, _, _, kept) = await _seeded(service)

    receipt = await service.call(SPEC, _erase(person), tenant=OTHER_TENANT)

    assert receipt.erased["custom_object_record"] == 1
    with_tenant = {"definitionId": kept.definition_id}
    assert (await service.call(contract.LIST_RECORDS, with_tenant, tenant=OTHER_TENANT)).meta.total == 0
    assert await rows_holding(service.runtime.engine, "custom_objects", NAME)  # tenant A's visa is still there
    visas = (await service.call(contract.LIST_DEFINITIONS, {}, tenant=TENANT)).data
    assert sum([(await service.call(contract.LIST_RECORDS, {"definitionId": d.id})).meta.total for d in visas]) == 4


async def test_what_the_records_earlier_events_carried_reads_as_erased_once_their_keys_are_gone(service):
    person, _, (theirs, someone_elses, contact, _, _) = await _seeded(service)
    created = {e["record"]["id"]: e["record"]["data"] for e in await service.events(contract.RECORD_CREATED)}
    assert created[theirs.id]["passport"] == "P-991" and created[contact.id]["email"] == EMAIL.upper()

    await service.call(SPEC, _erase(person))

    created = {e["record"]["id"]: e["record"]["data"] for e in await service.events(contract.RECORD_CREATED)}
    assert created[theirs.id] == {} and created[contact.id] == {}
    assert created[someone_elses.id]["passport"] == "Q-7"  # another person's record keeps its key
