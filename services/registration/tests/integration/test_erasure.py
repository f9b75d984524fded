"""Erasing a person everywhere, the saga registration orchestrates, on real servers: the other services'
parts asked at once, each receipt kept, registration's own data anonymised last, the report kept; 404s,
the permission it also needs, an idempotent repeat, and a saga that resumes after a restart.

Most tests wait for custom-objects' part only (the saga's list of services is a setting of the wiring, so a
test runs the parts it starts); one runs with every part written so far (``WRITTEN_PARTS``)."""

import asyncio
import contextlib
import dataclasses
import functools
import time
from collections.abc import AsyncIterator, Iterable
from datetime import timedelta

import pytest
import sqlalchemy as sa
from custom_objects_svc.bootstrap import SERVICE as CUSTOM_OBJECTS
from registration_svc.adapters import tables
from registration_svc.application.erasure import ErasureTuning
from registration_svc.bootstrap import SERVICE as REGISTRATION
from registration_svc.bootstrap import wire

from plenary_contracts.access import Grant, encode_grants
from plenary_contracts.catalog import custom_objects
from plenary_contracts.catalog import registration as contract
from plenary_contracts.enums import PermissionAccess, RoleScope
from plenary_contracts.errors import Conflict, Forbidden, NotFound
from plenary_contracts.flags import FlagKey
from plenary_contracts.saga_parts import ERASE_ORDER
from plenary_kit.ids import new_id
from plenary_kit.service import ServiceSpec
from plenary_kit.settings import Settings
from plenary_kit.testing.harness import running
from plenary_kit.testing.plugin import eventually
from plenary_kit.testing.schema import rows_holding

from .bulk_support import csv_bytes, imported, items_of
from .conftest import OTHER_TENANT, TENANT, RegistrationService

NAME = ("Augusta", "Byron-Lovelace")
EMAIL = "augusta.byron@example.org"
FIELDS = ({"name": "passportNumber", "dataType": "TEXT"},)
QUICK = ErasureTuning(services=("custom-objects",), lease=timedelta(seconds=2), retry_for=0.5, resume_every=0.2)


def _spec(tuning: ErasureTuning) -> ServiceSpec:
    return dataclasses.replace(REGISTRATION, wire=functools.partial(wire, erasure_tuning=tuning))


@contextlib.asynccontextmanager
async def _registration(settings: Settings, tuning: ErasureTuning = QUICK) -> AsyncIterator[RegistrationService]:
    settings = settings.model_copy(update={"waitlist_timer_seconds": 3600, "import_poll_seconds": 0.2})
    async with running(_spec(tuning), settings) as (runtime, nc):
        yield RegistrationService(runtime, nc, settings)


@contextlib.asynccontextmanager
async def _parts(settings: Settings, specs: Iterable[ServiceSpec]) -> AsyncIterator[None]:
    async with contextlib.AsyncExitStack() as stack:
        for spec in specs:
            flags = [FlagKey.CUSTOM_OBJECTS] if spec is CUSTOM_OBJECTS else []
            await stack.enter_async_context(running(spec, settings, flags=flags))
        yield


@pytest.fixture
async def erasing(plenary_settings: Settings) -> AsyncIterator[RegistrationService]:
    """registration waiting for custom-objects' part, and custom-objects running."""
    async with _parts(plenary_settings, [CUSTOM_OBJECTS]), _registration(plenary_settings) as service:
        yield service


async def _person(
    service: RegistrationService, *, tenant: str = TENANT, email: str = EMAIL, name: tuple[str, str] = NAME
):
    """The person registered with every personal column and an extra, the reply kept for a retry."""
    event = await service.seed_event(tenant=tenant, fields=FIELDS)
    body = {
        "eventId": event.id,
        "participantTypeId": event.type_id,
        "firstName": name[0],
        "lastName": name[1],
        "email": email,
        "organization": "Analytical Engines Ltd",
        "jobTitle": "Countess",
        "nationality": "GB",
        "extras": {"passportNumber": "GB-1815" if email == EMAIL else f"GB-{new_id()[:8]}"},
    }
    participant = await service.call(contract.REGISTER_PARTICIPANT, body, tenant=tenant, idempotency_key=new_id())
    return event, participant


async def _completed(service: RegistrationService, erasure_id: str, *, timeout: float = 30) -> contract.ErasureReport:
    async def done() -> contract.ErasureReport | None:
        report = await service.call(contract.GET_ERASURE, {"id": erasure_id})
        return report if report.status is contract.ErasureStatus.COMPLETED else None

    return await eventually(done, timeout=timeout)


async def _published(service: RegistrationService) -> None:
    outbox = tables.messaging.outbox
    unpublished = sa.select(sa.func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
    await eventually(lambda: _none(service, unpublished), timeout=20)


async def _none(service: RegistrationService, query) -> bool:
    return await service.scalar(query) == 0


def _grants(*codes: str) -> str:
    return encode_grants([Grant(code, PermissionAccess.ANY, RoleScope.TENANT) for code in codes])


async def test_an_erasure_answers_at_once_and_completes_with_every_receipt(erasing):
    event, person = await _person(erasing)

    report = await erasing.call(contract.ERASE_PARTICIPANT, {"id": person.id})

    assert (report.participant_id, report.event_id, report.status) == (person.id, event.id, "IN_PROGRESS")
    assert report.requested_by == "admin-user" and report.completed_at is None
    done = await _completed(erasing, report.id)
    assert [r.service for r in done.receipts][-1] == "registration"
    assert {r.service for r in done.receipts} == {"custom-objects", "registration"}
    own = done.receipts[-1]
    assert own.anonymised["participant"] == 1
    assert own.erased["blocking_key"] >= 2 and own.erased["idempotency_key"] == 1
    assert done.completed_at is not None and done.completed_at >= done.started_at


async def test_afterwards_no_table_of_registration_holds_the_name_or_the_address(erasing):
    _, person = await _person(erasing)
    assert await rows_holding(erasing.runtime.engine, "registration", NAME[1], EMAIL)  # there before
    await _published(erasing)

    report = await erasing.call(contract.ERASE_PARTICIPANT, {"id": person.id})
    await _completed(erasing, report.id)

    assert (
        await rows_holding(
            erasing.runtime.engine, "registration", *NAME, EMAIL, "Analytical Engines", "Countess", "GB-1815"
        )
        == {}
    )


async def test_the_erased_record_is_shown_anonymised_and_can_no_longer_change(erasing):
    event, person = await _person(erasing)
    report = await erasing.call(contract.ERASE_PARTICIPANT, {"id": person.id})
    await _completed(erasing, report.id)

    shown = await erasing.call(contract.GET_PARTICIPANT, {"eventId": event.id, "id": person.id})

    assert (shown.first_name, shown.last_name, shown.email, shown.organization) == ("", "", None, None)
    assert (shown.job_title, shown.nationality, shown.extras) == (None, None, {})
    assert shown.erased_at is not None and shown.status == person.status
    assert shown.registration_code == person.registration_code
    update = {"eventId": event.id, "id": person.id, "firstName": NAME[0]}
    with pytest.raises(Conflict):
        await erasing.call(contract.UPDATE_PARTICIPANT, update)


async def test_the_erasure_is_told_by_events_that_carry_ids_only(erasing):
    _, person = await _person(erasing)
    report = await erasing.call(contract.ERASE_PARTICIPANT, {"id": person.id})
    await _completed(erasing, report.id)

    (started,) = await erasing.events(contract.ERASURE_STARTED)
    (erased,) = await erasing.events(contract.PARTICIPANT_ERASED)
    (completed,) = await erasing.events(contract.ERASURE_COMPLETED)
    assert started["erasure"]["status"] == "IN_PROGRESS"
    assert erased == {"participantId": person.id, "eventId": person.event_id, "erasureId": report.id}
    assert completed["erasure"]["status"] == "COMPLETED" and len(completed["erasure"]["receipts"]) == 2


async def test_erasing_again_answers_the_same_report_and_starts_no_second_saga(erasing):
    _, person = await _person(erasing)
    first = await erasing.call(contract.ERASE_PARTICIPANT, {"id": person.id})
    again_at_once = await erasing.call(contract.ERASE_PARTICIPANT, {"id": person.id})
    done = await _completed(erasing, first.id)

    again = await erasing.call(contract.ERASE_PARTICIPANT, {"id": person.id})

    assert again_at_once.id == first.id and again == done
    assert await erasing.scalar(sa.select(sa.func.count()).select_from(tables.erasure)) == 1
    assert len(await erasing.events(contract.ERASURE_STARTED)) == 1


async def test_two_erasures_asked_at_the_same_time_make_one(erasing):
    _, person = await _person(erasing)

    both = await asyncio.gather(*(erasing.call(contract.ERASE_PARTICIPANT, {"id": person.id}) for _ in range(2)))

    assert both[0].id == both[1].id
    await _completed(erasing, both[0].id)
    assert await erasing.scalar(sa.select(sa.func.count()).select_from(tables.erasure)) == 1


async def test_an_unknown_participant_or_another_tenants_is_not_found(erasing):
    _, theirs = await _person(erasing, tenant=OTHER_TENANT)

    with pytest.raises(NotFound):
        await erasing.call(contract.ERASE_PARTICIPANT, {"id": new_id()})
    with pytest.raises(NotFound):
        await erasing.call(contract.ERASE_PARTICIPANT, {"id": theirs.id})
    with pytest.raises(NotFound):
        await erasing.call(contract.GET_ERASURE, {"id": new_id()})
    assert await erasing.scalar(sa.select(sa.func.count()).select_from(tables.erasure)) == 0


async def test_another_tenants_report_is_not_found_nor_listed(erasing):
    _, theirs = await _person(erasing, tenant=OTHER_TENANT)
    report = await erasing.call(contract.ERASE_PARTICIPANT, {"id": theirs.id}, tenant=OTHER_TENANT)

    with pytest.raises(NotFound):
        await erasing.call(contract.GET_ERASURE, {"id": report.id})
    assert (await erasing.call(contract.LIST_ERASURES, {})).meta.total == 0
    await _completed_in(erasing, report.id, OTHER_TENANT)


async def _completed_in(service: RegistrationService, erasure_id: str, tenant: str) -> None:
    async def done() -> bool:
        report = await service.call(contract.GET_ERASURE, {"id": erasure_id}, tenant=tenant)
        return report.status is contract.ErasureStatus.COMPLETED

    await eventually(done, timeout=30)


async def test_erasing_needs_participant_delete_too(erasing):
    event, person = await _person(erasing)

    with pytest.raises(Forbidden):
        await erasing.call(contract.ERASE_PARTICIPANT, {"id": person.id}, grants=_grants("privacy:erase"))
    assert await erasing.scalar(sa.select(sa.func.count()).select_from(tables.erasure)) == 0

    bound_elsewhere = encode_grants(
        [
            Grant("privacy:erase", PermissionAccess.ANY, RoleScope.TENANT),
            Grant("participant:delete", PermissionAccess.ANY, RoleScope.EVENT, new_id()),
        ]
    )
    with pytest.raises(Forbidden):
        await erasing.call(contract.ERASE_PARTICIPANT, {"id": person.id}, grants=bound_elsewhere)

    both = _grants("privacy:erase", "participant:delete")
    report = await erasing.call(contract.ERASE_PARTICIPANT, {"id": person.id}, grants=both)
    assert report.participant_id == person.id and report.event_id == event.id


async def test_reports_are_listed_newest_first_and_by_participant(erasing):
    _, first = await _person(erasing)
    _, second = await _person(erasing, email="charles.babbage@example.org", name=("Charles", "Babbage"))
    one = await erasing.call(contract.ERASE_PARTICIPANT, {"id": first.id})
    two = await erasing.call(contract.ERASE_PARTICIPANT, {"id": second.id})

    listed = await erasing.call(contract.LIST_ERASURES, {})
    theirs = await erasing.call(contract.LIST_ERASURES, {"participantId": first.id})

    assert [r.id for r in listed.data] == [two.id, one.id]
    assert [r.id for r in theirs.data] == [one.id]


async def test_other_participants_are_untouched(erasing):
    _, person = await _person(erasing)
    _, other = await _person(erasing, email="charles.babbage@example.org", name=("Charles", "Babbage"))

    report = await erasing.call(contract.ERASE_PARTICIPANT, {"id": person.id})
    await _completed(erasing, report.id)

    kept = await erasing.call(contract.GET_PARTICIPANT, {"eventId": other.event_id, "id": other.id})
    assert (kept.first_name, kept.email, kept.erased_at) == ("Charles", "charles.babbage@example.org", None)
    assert kept.extras == other.extras and kept.extras["passportNumber"].startswith("GB-")


async def test_a_duplicate_pair_with_the_person_goes_and_the_other_participant_stays(erasing):
    event, person = await _person(erasing)
    body = {"eventId": event.id, "participantTypeId": event.type_id, "firstName": NAME[0], "lastName": NAME[1]}
    twin = await erasing.call(contract.REGISTER_PARTICIPANT, {**body, "email": "twin@example.org"})
    pairs = sa.select(sa.func.count()).select_from(tables.duplicate_candidate)
    assert await erasing.scalar(pairs) == 1

    report = await erasing.call(contract.ERASE_PARTICIPANT, {"id": person.id})
    done = await _completed(erasing, report.id)

    assert done.receipts[-1].erased["duplicate_candidate"] == 1
    assert await erasing.scalar(pairs) == 0
    kept = await erasing.call(contract.GET_PARTICIPANT, {"eventId": event.id, "id": twin.id})
    assert (kept.first_name, kept.last_name, kept.email) == (*NAME, "twin@example.org")


async def test_a_part_that_does_not_answer_is_asked_again_and_a_restart_resumes_the_saga(plenary_settings):
    # the first process gives up on custom-objects (not running: no responders) and dies holding its lease
    async with _registration(plenary_settings) as first:
        _, person = await _person(first)
        report = await first.call(contract.ERASE_PARTICIPANT, {"id": person.id})
        await asyncio.sleep(1.0)  # well past its retry_for: it asked, again, and gave up until the timer
        still = await first.call(contract.GET_ERASURE, {"id": report.id})
        assert (still.status, still.receipts) == ("IN_PROGRESS", [])
        # nothing of registration's own is erased before every receipt is in
        assert (await first.call(contract.GET_PARTICIPANT, {"eventId": person.event_id, "id": person.id})).email
    # a new process, the part now answering, claims it once the lease ran out and finishes it
    async with _parts(plenary_settings, [CUSTOM_OBJECTS]), _registration(plenary_settings) as second:
        done = await _completed(second, report.id)
        assert [r.service for r in done.receipts] == ["custom-objects", "registration"]
        shown = await second.call(contract.GET_PARTICIPANT, {"eventId": person.event_id, "id": person.id})
        assert shown.email is None and shown.erased_at is not None


async def test_a_record_about_the_person_in_custom_objects_goes_with_them(erasing, plenary_settings):
    _, person = await _person(erasing)
    visas = await erasing.call(
        custom_objects.CREATE_DEFINITION,
        {"name": "Visas", "fields": [{"name": "participant", "label": "Participant", "dataType": "REFERENCE"}]},
    )
    await erasing.call(custom_objects.CREATE_RECORD, {"definitionId": visas.id, "data": {"participant": person.id}})

    report = await erasing.call(contract.ERASE_PARTICIPANT, {"id": person.id})
    done = await _completed(erasing, report.id)

    (part,) = [r for r in done.receipts if r.service == "custom-objects"]
    assert part.erased["custom_object_record"] == 1
    assert (await erasing.call(custom_objects.LIST_RECORDS, {"definitionId": visas.id})).meta.total == 0


async def test_a_person_registered_from_the_waitlist_keeps_the_entry_without_their_data(erasing):
    await erasing.flags(FlagKey.WAITLIST)
    event = await erasing.seed_event()
    registration = {"participantTypeId": event.type_id, "firstName": NAME[0], "lastName": NAME[1], "email": EMAIL}
    entry = await erasing.call(contract.ADD_TO_WAITLIST, {"eventId": event.id, "registration": registration})
    await erasing.call(contract.PROMOTE_FROM_WAITLIST, {"eventId": event.id, "participantTypeId": event.type_id})
    person = (await erasing.call(contract.CONFIRM_WAITLIST_OFFER, {"id": entry.id})).participant
    await _published(erasing)

    report = await erasing.call(contract.ERASE_PARTICIPANT, {"id": person.id})
    done = await _completed(erasing, report.id)

    assert done.receipts[-1].anonymised["waitlist_entry"] == 1
    kept = await erasing.call(contract.GET_WAITLIST_ENTRY, {"id": entry.id})
    assert (kept.status, kept.participant_id) == ("PROMOTED", person.id)  # what the statistics count stays
    assert (kept.registration_data.first_name, kept.registration_data.email) == ("(erased)", None)
    assert await rows_holding(erasing.runtime.engine, "registration", *NAME, EMAIL) == {}


async def test_a_person_still_waiting_under_their_address_is_withdrawn_without_their_data(erasing):
    await erasing.flags(FlagKey.WAITLIST)
    event, person = await _person(erasing)
    registration = {"participantTypeId": event.type_id, "firstName": "Gus", "lastName": "Byron", "email": EMAIL}
    other_event = await erasing.seed_event()
    waiting = await erasing.call(
        contract.ADD_TO_WAITLIST,
        {"eventId": other_event.id, "registration": {**registration, "participantTypeId": other_event.type_id}},
    )

    report = await erasing.call(contract.ERASE_PARTICIPANT, {"id": person.id})
    done = await _completed(erasing, report.id)

    assert done.receipts[-1].anonymised["waitlist_entry"] == 1
    row = (
        await erasing.execute(sa.select(tables.waitlist_entry).where(tables.waitlist_entry.c.id == waiting.id))
    ).one()
    assert (row.status, row.applicant_key) == ("WITHDRAWN", f"erased:{waiting.id}")
    names = {"firstName": "(erased)", "lastName": "(erased)"}
    assert row.registration_data == {"participantTypeId": other_event.type_id, **names}


async def test_import_rows_that_registered_the_person_keep_their_outcome_only(erasing):
    await erasing.flags(FlagKey.BULK_OPERATIONS)
    event = await erasing.seed_event()
    rows = [["First Name", "Last Name", "Email"], [*NAME, EMAIL], ["Charles", "Babbage", "cb@example.org"]]
    done = await imported(erasing, csv_bytes(rows), event)
    assert done.success_count == 2
    items = await items_of(erasing, done.id)
    person = items[0].participant_id
    await _published(erasing)

    report = await erasing.call(contract.ERASE_PARTICIPANT, {"id": person})
    erased = await _completed(erasing, report.id)

    assert erased.receipts[-1].anonymised["bulk_operation_item"] == 1
    after = await items_of(erasing, done.id)
    assert (after[0].input_data, after[0].status, after[0].participant_id) == ({}, items[0].status, person)
    assert after[1].input_data == items[1].input_data
    assert await rows_holding(erasing.runtime.engine, "registration", *NAME, EMAIL) == {}


async def test_every_service_written_so_far_answers_with_its_receipt(plenary_settings):
    from analytics_svc.bootstrap import SERVICE as ANALYTICS
    from checkin_svc.bootstrap import SERVICE as CHECKIN
    from comms_svc.bootstrap import SERVICE as COMMS
    from delegation_svc.bootstrap import SERVICE as DELEGATION
    from webhooks_svc.bootstrap import SERVICE as WEBHOOKS
    from workflow_svc.bootstrap import SERVICE as WORKFLOW

    everyone = ErasureTuning(lease=timedelta(seconds=5), retry_for=5.0, resume_every=0.5)
    assert set(everyone.services) == set(ERASE_ORDER)
    parts = [WORKFLOW, CHECKIN, COMMS, WEBHOOKS, ANALYTICS, DELEGATION, CUSTOM_OBJECTS]
    async with _parts(plenary_settings, parts), _registration(plenary_settings, everyone) as service:
        _, person = await _person(service)
        await _published(service)
        asked = time.perf_counter()
        report = await service.call(contract.ERASE_PARTICIPANT, {"id": person.id})
        done = await _completed(service, report.id, timeout=60)
        took = time.perf_counter() - asked

    assert [r.service for r in done.receipts][-1] == "registration"
    assert sorted(r.service for r in done.receipts) == sorted([*ERASE_ORDER, "registration"])
    assert took < 10, f"an erasure took {took:.1f} s"


async def test_a_record_merged_into_the_person_is_the_same_person_and_is_anonymised_too(erasing):
    event, person = await _person(erasing)
    body = {"eventId": event.id, "participantTypeId": event.type_id, "firstName": NAME[0], "lastName": NAME[1]}
    twin = await erasing.call(contract.REGISTER_PARTICIPANT, {**body, "email": "augusta.old@example.org"})
    await erasing.call(contract.MERGE_PARTICIPANTS, {"survivorId": person.id, "mergedId": twin.id})
    await _published(erasing)

    report = await erasing.call(contract.ERASE_PARTICIPANT, {"id": person.id})
    done = await _completed(erasing, report.id)

    assert done.receipts[-1].anonymised["participant"] == 2
    assert await rows_holding(erasing.runtime.engine, "registration", *NAME, EMAIL, "augusta.old@example.org") == {}
    history = await erasing.call(contract.LIST_MERGE_HISTORY, {"participantId": person.id})
    assert [(h.surviving_id, h.merged_id) for h in history.data] == [(person.id, twin.id)]
    with pytest.raises(Conflict):  # nothing to merge with an erased record
        await erasing.call(
            contract.MERGE_PARTICIPANTS, {"survivorId": person.id, "mergedId": (await _other(erasing, event)).id}
        )


async def _other(service: RegistrationService, event) -> contract.Participant:
    body = {"eventId": event.id, "participantTypeId": event.type_id, "firstName": "Mary", "lastName": "Somerville"}
    return await service.call(contract.REGISTER_PARTICIPANT, body)
