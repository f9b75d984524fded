"""Screening on the registration path: the blacklist blocks with its matches explained, likely
duplicates found through blocking keys are flagged (WARN) or refused (BLOCK), a batch registers what
passes and refuses the rest, and screening alone stores nothing."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from registration_svc.adapters import tables
from registration_svc.application.directory import EventDirectory
from registration_svc.application.registrar import Draft, Refused, Registered, Registrar

from plenary_contracts.catalog import registration as contract
from plenary_contracts.errors import Conflict
from plenary_kit import context as ctx
from plenary_kit.ids import new_id

from .conftest import OTHER_TENANT, TENANT


def _person(event, first: str = "John", last: str = "Smith", **fields: Any) -> dict[str, Any]:
    return {
        "eventId": event.id,
        "participantTypeId": event.type_id,
        "firstName": first,
        "lastName": last,
        **fields,
    }


async def _blacklist(registration, *, tenant: str | None = TENANT, **fields: Any) -> str:
    """An entry written straight into the table, as the service would never see it written: only before the
    test's first registration (the service caches the blacklist and hears of the changes it makes itself)."""
    entry_id = new_id()
    values = {"type": "INDIVIDUAL", "reason": "sanctions", "added_by": "admin-user", **fields}
    await registration.execute(sa.insert(tables.blacklist).values(id=entry_id, tenant_id=tenant, **values))
    return entry_id


async def _stored(registration, event_id: str) -> int:
    result = await registration.execute(sa.select(sa.func.count()).where(tables.participant.c.event_id == event_id))
    return result.scalar_one()


async def _candidates(registration) -> list[Any]:
    return list((await registration.execute(sa.select(tables.duplicate_candidate))).all())


async def _refused(registration, body: dict[str, Any], *, tenant: str = TENANT) -> contract.Screening:
    with pytest.raises(Conflict) as refused:
        await registration.call(contract.REGISTER_PARTICIPANT, body, tenant=tenant)
    return contract.Screening.model_validate(refused.value.details["screening"])


# --- blacklist -----------------------------------------------------------------------------------


async def test_a_blacklisted_passport_blocks_registration_and_the_refusal_is_announced(registration):
    event = await registration.seed_event()
    entry = await _blacklist(registration, passport_number="X1234567")

    screening = await _refused(registration, _person(event, email="j@x.org", extras={"passportNumber": " x1234567 "}))

    assert (screening.risk, screening.allowed) == ("BLOCK", False)
    assert [m.model_dump() for m in screening.blacklist] == [
        {"blacklistId": entry, "matchType": "exact", "matchField": "passportNumber", "matchValue": "X1234567"}
    ]
    assert await _stored(registration, event.id) == 0
    (blocked,) = await registration.events(contract.REGISTRATION_BLOCKED)
    assert (blocked["eventId"], blocked["firstName"], blocked["source"]) == (event.id, "John", "api")
    assert blocked["screening"]["blacklist"][0]["blacklistId"] == entry
    assert await registration.events(contract.PARTICIPANT_REGISTERED) == []


async def test_a_blacklisted_email_or_a_name_close_to_a_variation_blocks(registration):
    event = await registration.seed_event()
    by_email = await _blacklist(registration, email="Bad@Example.org")
    by_name = await _blacklist(registration, name="Ivan Petrov", name_variations=["Jon Smyth", "J. Smith"])

    screening = await _refused(registration, _person(event, email="bad@example.org"))

    found = {(m.blacklist_id, m.match_field, m.match_type, m.match_value) for m in screening.blacklist}
    assert found == {
        (by_email, "email", "exact", "Bad@Example.org"),
        (by_name, "nameVariations", "fuzzy", "Jon Smyth"),
    }


async def test_a_global_blacklist_entry_blocks_in_any_tenant(registration):
    event = await registration.seed_event(tenant=OTHER_TENANT)
    entry = await _blacklist(registration, tenant=None, name="John Smith")

    screening = await _refused(registration, _person(event), tenant=OTHER_TENANT)

    assert [(m.blacklist_id, m.match_field, m.match_type) for m in screening.blacklist] == [(entry, "name", "exact")]


async def test_inactive_expired_and_other_tenants_entries_do_not_block(registration):
    event = await registration.seed_event()
    await _blacklist(registration, email="j@x.org", is_active=False)
    await _blacklist(registration, name="John Smith", expires_at=datetime.now(UTC) - timedelta(days=1))
    await _blacklist(registration, tenant=OTHER_TENANT, name="John Smith")

    registered = await registration.call(contract.REGISTER_PARTICIPANT, _person(event, email="j@x.org"))

    assert registered.screening.risk == "PASS"


# --- duplicates ----------------------------------------------------------------------------------


async def test_the_same_name_with_another_email_registers_flagged_with_a_candidate(registration):
    event = await registration.seed_event()
    first = await registration.call(contract.REGISTER_PARTICIPANT, _person(event, email="john@a.org"))

    second = await registration.call(contract.REGISTER_PARTICIPANT, _person(event, email="john@b.org"))

    assert (second.screening.risk, second.screening.allowed, second.flagged) == ("WARN", True, True)
    (duplicate,) = second.screening.duplicates
    assert (duplicate.participant_id, duplicate.score, duplicate.risk) == (first.id, 0.85, "WARN")
    assert [(m.field, m.match_type) for m in duplicate.matches] == [("name", "exact")]
    (candidate,) = await _candidates(registration)
    assert {candidate.participant_a_id, candidate.participant_b_id} == {first.id, second.id}
    assert candidate.participant_a_id < candidate.participant_b_id
    assert (candidate.confidence_score, candidate.status, candidate.event_id) == (0.85, "PENDING_REVIEW", event.id)
    (flagged,) = await registration.events(contract.DUPLICATE_FLAGGED)
    assert flagged["participantId"] == second.id
    assert flagged["candidate"]["confidenceScore"] == 0.85
    assert flagged["candidate"]["matchFields"][0]["field"] == "name"


async def test_the_same_email_in_an_overlapping_event_blocks(registration):
    start = datetime.now(UTC) + timedelta(days=30)
    event = await registration.seed_event(start=start, days=3)
    overlapping = await registration.seed_event(start=start + timedelta(days=2), days=3)
    first = await registration.call(contract.REGISTER_PARTICIPANT, _person(event, "Ann", "Lee", email="ann@x.org"))

    screening = await _refused(registration, _person(overlapping, "Bea", "Kim", email="ANN@x.org"))

    (duplicate,) = screening.duplicates
    assert (duplicate.participant_id, duplicate.score, duplicate.risk) == (first.id, 0.95, "BLOCK")
    assert screening.blacklist == []
    assert await _stored(registration, overlapping.id) == 0
    assert len(await registration.events(contract.REGISTRATION_BLOCKED)) == 1


async def test_a_participant_of_an_event_on_other_dates_is_not_a_candidate(registration):
    start = datetime.now(UTC) + timedelta(days=30)
    event = await registration.seed_event(start=start, days=3)
    later = await registration.seed_event(start=start + timedelta(days=10), days=3)
    await registration.call(contract.REGISTER_PARTICIPANT, _person(event, "Ann", "Lee", email="ann@x.org"))

    registered = await registration.call(contract.REGISTER_PARTICIPANT, _person(later, "Ann", "Lee", email="ann@x.org"))

    assert (registered.screening.risk, registered.flagged) == ("PASS", False)
    assert await _candidates(registration) == []


async def test_candidates_come_only_from_blocking_keys(registration):
    event = await registration.seed_event()
    now = datetime.now(UTC)
    unindexed = new_id()  # the same person, stored without blocking keys: never found, so never scored
    await registration.execute(
        sa.insert(tables.participant).values(
            id=unindexed, tenant_id=TENANT, event_id=event.id, participant_type_id=event.type_id,
            registration_code="OLD-1", first_name="John", last_name="Smith", email="john@a.org",
            created_at=now, updated_at=now,
        )
    )  # fmt: skip
    unrelated = await registration.call(contract.REGISTER_PARTICIPANT, _person(event, "Zoe", "Quist"))

    registered = await registration.call(contract.REGISTER_PARTICIPANT, _person(event, email="john@a.org"))

    assert registered.screening.risk == "PASS"
    assert await _candidates(registration) == []
    shared = await registration.execute(
        sa.select(sa.func.count()).where(
            tables.blocking_key.c.participant_id == unrelated.id,
            tables.blocking_key.c.key.in_(
                sa.select(tables.blocking_key.c.key).where(tables.blocking_key.c.participant_id == registered.id)
            ),
        )
    )
    assert shared.scalar_one() == 0  # nothing in common: the unrelated participant was not even a candidate


async def test_a_typo_in_each_name_is_still_found_among_many_similar_names(registration):
    event = await registration.seed_event()
    for n in range(12):  # names sharing most of their letters, some of their segments too
        await registration.call(
            contract.REGISTER_PARTICIPANT, _person(event, "Maria", f"Gonzalez{chr(65 + n)}", email=f"m{n}@x.org")
        )
    original = await registration.call(
        contract.REGISTER_PARTICIPANT, _person(event, "Maximilian", "Oberhausen", email="max@a.org")
    )

    typo = await registration.call(
        contract.REGISTER_PARTICIPANT, _person(event, "Maximillian", "Oberhauzen", email="max@b.org")
    )

    (duplicate,) = typo.screening.duplicates
    assert (duplicate.participant_id, duplicate.score) == (original.id, 0.85)
    assert duplicate.matches[0].match_type == "levenshtein"


async def test_the_same_person_registering_many_times_at_once_is_registered_once(registration):
    event = await registration.seed_event()
    body = _person(event, email="john@a.org")

    outcomes = await asyncio.gather(
        *(registration.call(contract.REGISTER_PARTICIPANT, body) for _ in range(6)), return_exceptions=True
    )

    registered = [o for o in outcomes if not isinstance(o, BaseException)]
    assert len(registered) == 1 and await _stored(registration, event.id) == 1
    assert all(isinstance(o, Conflict) for o in outcomes if o not in registered)


async def test_near_duplicates_registering_at_once_are_each_flagged_against_all_before_them(registration):
    event = await registration.seed_event()
    bodies = [_person(event, email=f"john{n}@a.org") for n in range(6)]

    registered = await asyncio.gather(*(registration.call(contract.REGISTER_PARTICIPANT, b) for b in bodies))

    pairs = {frozenset((c.participant_a_id, c.participant_b_id)) for c in await _candidates(registration)}
    assert len(pairs) == 15  # every pair of the 6, whichever order they were screened in
    assert sorted(len(p.screening.duplicates) for p in registered) == [0, 1, 2, 3, 4, 5]


async def test_screening_says_what_registering_would_without_storing_anything(registration):
    event = await registration.seed_event()
    first = await registration.call(contract.REGISTER_PARTICIPANT, _person(event, email="john@a.org"))
    entry = {"type": "INDIVIDUAL", "reason": "sanctions", "email": "john@b.org"}
    await registration.call(contract.CREATE_BLACKLIST_ENTRY, entry)

    screening = await registration.call(contract.SCREEN_PARTICIPANT, _person(event, email="john@b.org"))

    assert (screening.risk, screening.allowed) == ("BLOCK", False)
    assert [d.participant_id for d in screening.duplicates] == [first.id]
    assert await _stored(registration, event.id) == 1
    assert await _candidates(registration) == []
    assert await registration.events(contract.REGISTRATION_BLOCKED) == []


async def test_a_blacklist_change_applies_to_the_next_registration(registration):
    event = await registration.seed_event()
    await registration.call(contract.REGISTER_PARTICIPANT, _person(event, "Ada", "Lovelace"))
    body = {"type": "INDIVIDUAL", "reason": "sanctions", "email": "john@a.org"}
    entry = await registration.call(contract.CREATE_BLACKLIST_ENTRY, body)

    assert not (await _refused(registration, _person(event, email="john@a.org"))).allowed
    await registration.call(contract.UPDATE_BLACKLIST_ENTRY, {"id": entry.id, "isActive": False})

    assert (await registration.call(contract.REGISTER_PARTICIPANT, _person(event, email="john@a.org"))).id


# --- batches -------------------------------------------------------------------------------------


async def test_a_batch_of_two_hundred_registers_all_but_the_two_refused(registration):
    event = await registration.seed_event()
    await _blacklist(registration, passport_number="BAD-1")
    registrar = Registrar(EventDirectory(_unknown), registration.runtime.uow)
    details = [
        contract.ParticipantDetails(
            participant_type_id=event.type_id,
            first_name=f"Person{n:03d}",
            last_name=f"Family{n * 7919 % 1000:03d}",
            email=f"p{n}@x.org",
            registration_code=f"B-{n}",
        )
        for n in range(198)
    ]
    details.insert(50, details[0].model_copy(update={"first_name": "Other", "email": "o@x.org"}))  # code taken
    details.insert(
        120, details[1].model_copy(update={"registration_code": "B-X", "extras": {"passportNumber": "bad-1"}})
    )
    drafts = [Draft(event.id, d, "import", row=n + 2) for n, d in enumerate(details)]

    token = ctx.use(ctx.Context(tenant_id=TENANT, actor_id="importer"))
    try:
        async with registration.runtime.uow() as uow:
            outcomes = await registrar.register(uow, drafts)
            await uow.commit()
    finally:
        ctx.reset(token)

    refused = {n: o.error for n, o in enumerate(outcomes) if isinstance(o, Refused)}
    assert sorted(refused) == [50, 120]
    assert isinstance(refused[50], Conflict) and refused[50].details == {"code": "B-0"}
    assert refused[120].details["screening"]["blacklist"][0]["matchField"] == "passportNumber"
    assert all(isinstance(o, Registered) for n, o in enumerate(outcomes) if n not in refused)
    assert await _stored(registration, event.id) == 198
    assert len(await registration.events(contract.PARTICIPANT_REGISTERED)) == 198
    assert len(await registration.events(contract.REGISTRATION_BLOCKED)) == 1


async def test_a_batch_screens_each_draft_against_the_drafts_before_it(registration):
    event = await registration.seed_event()
    registrar = Registrar(EventDirectory(_unknown), registration.runtime.uow)
    twice = contract.ParticipantDetails(
        participant_type_id=event.type_id, first_name="Jane", last_name="Doe", email="jane@x.org"
    )
    drafts = [
        Draft(event.id, twice, "import"),
        Draft(event.id, twice.model_copy(update={"email": "jane@y.org"}), "import"),
        Draft(event.id, twice, "import"),
    ]

    token = ctx.use(ctx.Context(tenant_id=TENANT))
    try:
        async with registration.runtime.uow() as uow:
            first, warned, blocked = await registrar.register(uow, drafts)
            await uow.commit()
    finally:
        ctx.reset(token)

    assert isinstance(first, Registered) and isinstance(warned, Registered) and isinstance(blocked, Refused)
    assert warned.participant.flagged
    assert [d.participant_id for d in warned.participant.screening.duplicates] == [first.participant.id]
    duplicates = blocked.error.details["screening"]["duplicates"]
    assert [(d["participantId"], d["risk"]) for d in duplicates] == [
        (first.participant.id, "BLOCK"),
        (warned.participant.id, "WARN"),
    ]
    assert len(await _candidates(registration)) == 1


async def _unknown(tenant_id: str, event_id: str) -> None:
    return None
