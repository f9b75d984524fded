"""Cloning an event over the bus: the request's own part (target event, participant types, field definitions
with their JSON remapped), the saga asking the other services' parts in order with the id map so far,
compensation on failure, and a saga resumed by another process once its driver's lease runs out.

The other services' parts are played by the test on the bus (``PartService``); the real ones meet the saga in
``tests/sagas``."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from events_svc.adapters.tables import clone_operation, event, field_definition, participant_type
from events_svc.bootstrap import SERVICE as EVENTS

from plenary_contracts.catalog import events as contract
from plenary_contracts.enums import CloneStatus, EventStatus
from plenary_contracts.errors import Conflict, FeatureDisabled, NotFound, ValidationFailed
from plenary_contracts.flags import FlagKey
from plenary_contracts.id_map import derived_id
from plenary_contracts.operations import TENANT as TENANT_HEADER
from plenary_contracts.saga_parts import CopiedPart
from plenary_kit.testing.harness import running
from plenary_kit.testing.plugin import eventually

from .conftest import OTHER_TENANT, TENANT, EventsService, clone_settled, part

TARGET = {"targetEventName": "Summit 2027", "startDate": "2027-05-01T09:00:00Z", "endDate": "2027-05-03T18:00:00Z"}
OWN = {"participantTypes": True, "fieldDefinitions": True}


async def _source(
    events: EventsService,
) -> tuple[contract.Event, list[contract.ParticipantType], list[contract.FieldDefinition]]:
    """An event with two types, two fields of its own whose JSON names a type, and a global field."""
    source = await events.event(description="The yearly summit", timezone="Africa/Nairobi", extras={"venue": "UNON"})
    types = [
        await events.call(contract.CREATE_PARTICIPANT_TYPE, {"eventId": source.id, "name": n, "code": c})
        for n, c in (("Delegate", "DEL"), ("Press", "PRESS"))
    ]
    fields = [
        await events.call(
            contract.CREATE_FIELD_DEFINITION,
            {
                "eventId": source.id,
                "name": "badgeTitle",
                "label": "Badge title",
                "dataType": "TEXT",
                "config": {"shownFor": [types[0].id], "note": "kept"},
                "validation": [{"rule": "pattern", "value": types[1].id}],
            },
        ),
        await events.call(
            contract.CREATE_FIELD_DEFINITION,
            {
                "eventId": source.id,
                "name": "diet",
                "label": "Diet",
                "dataType": "ENUM",
                "config": {"options": [{"value": "VEGAN"}, {"value": "NONE"}]},
            },
        ),
    ]
    await events.call(contract.CREATE_FIELD_DEFINITION, {"name": "passport", "label": "Passport", "dataType": "TEXT"})
    return source, types, fields


async def _clone(events: EventsService, source_id: str, elements: dict, **fields) -> contract.CloneOperation:
    return await events.call(contract.CLONE_EVENT, {"id": source_id, **TARGET, "elements": elements} | fields)


async def test_a_clone_creates_a_draft_target_with_the_types_and_fields_copied_and_their_json_remapped(cloning):
    source, types, fields = await _source(cloning)

    begun = await _clone(cloning, source.id, OWN)
    assert begun.status is CloneStatus.IN_PROGRESS and begun.source_event_id == source.id
    assert [(s.service, s.status) for s in begun.steps] == [
        ("events", "COPIED"),
        ("workflow", "SKIPPED"),
        ("delegation", "SKIPPED"),
        ("checkin", "SKIPPED"),
        ("views", "SKIPPED"),
    ]
    done = await clone_settled(cloning, begun.id)
    assert done.status is CloneStatus.COMPLETED and done.completed_at is not None and done.error_log is None
    assert done.elements_copied == {"participantTypes": 2, "fieldDefinitions": 2, "totalMappings": 4}

    target = await cloning.call(contract.GET_EVENT, {"id": done.target_event_id, "expand": "participantTypes"})
    assert (target.name, target.status, target.description, target.timezone, target.extras) == (
        "Summit 2027",
        EventStatus.DRAFT,
        "The yearly summit",
        "Africa/Nairobi",
        {"venue": "UNON"},
    )
    assert target.start_date.year == 2027 and target.end_date.day == 3
    new = {old.id: derived_id(begun.id, old.id) for old in [*types, *fields]}
    assert [(t.id, t.code) for t in target.participant_types or []] == [(new[t.id], t.code) for t in types]
    copied = await cloning.call(contract.LIST_FIELD_DEFINITIONS, {"eventId": target.id, "scope": "event"})
    by_name = {f.name: f for f in copied.data}
    assert set(by_name) == {"badgeTitle", "diet"}  # the global field stays global, not copied
    badge = by_name["badgeTitle"]
    assert badge.id == new[fields[0].id] and badge.event_id == target.id
    assert badge.config.model_extra == {"shownFor": [new[types[0].id]], "note": "kept"}
    assert [r.value for r in badge.validation] == [new[types[1].id]]
    assert [o.value for o in by_name["diet"].config.options or []] == ["VEGAN", "NONE"]

    created = await cloning.events(contract.EVENT_CREATED)
    assert [e["event"]["id"] for e in created][-1] == target.id
    type_events = [e["participantType"]["id"] for e in await cloning.events(contract.PARTICIPANT_TYPE_CREATED)]
    assert type_events[-2:] == [new[t.id] for t in types]
    cloned = await cloning.events(contract.EVENT_CLONED)
    assert [(e["operation"]["id"], e["operation"]["status"]) for e in cloned] == [(begun.id, "COMPLETED")]
    listed = await cloning.call(contract.LIST_CLONE_OPERATIONS, {"id": source.id})
    assert [o.id for o in listed.data] == [begun.id] and listed.meta.total == 1
    # the source is untouched
    assert len((await cloning.call(contract.LIST_PARTICIPANT_TYPES, {"eventId": source.id})).data) == 2


async def test_only_the_elements_asked_for_are_copied(cloning):
    source, _, _ = await _source(cloning)
    done = await clone_settled(cloning, (await _clone(cloning, source.id, {"participantTypes": True})).id)
    assert done.elements_copied == {"participantTypes": 2, "totalMappings": 2}
    fields = await cloning.call(contract.LIST_FIELD_DEFINITIONS, {"eventId": done.target_event_id, "scope": "event"})
    assert fields.data == []
    nothing = await clone_settled(cloning, (await _clone(cloning, source.id, {}, targetEventName="Summit 2028")).id)
    assert nothing.elements_copied == {"totalMappings": 0}
    assert (await cloning.call(contract.GET_EVENT, {"id": nothing.target_event_id})).name == "Summit 2028"


def _unchecked(source_id: str, **fields) -> contract.CloneEvent:
    start = datetime(2027, 5, 1, 9, tzinfo=UTC)
    values = {"id": source_id, "target_event_name": "Next", "start_date": start, "end_date": start} | fields
    return contract.CloneEvent.model_construct(**values)


async def test_a_clone_is_refused_for_another_tenants_event_an_unknown_series_and_bad_options(cloning):
    source, _, _ = await _source(cloning)
    with pytest.raises(NotFound):
        await cloning.call(contract.CLONE_EVENT, {"id": source.id, **TARGET}, tenant=OTHER_TENANT)
    with pytest.raises(NotFound):
        await _clone(cloning, source.id, OWN, seriesId="nosuchseries")
    start = datetime(2027, 5, 1, 9, tzinfo=UTC)
    for bad in (
        {"end_date": start - timedelta(days=1)},
        {"start_date": start.replace(tzinfo=None), "end_date": start.replace(tzinfo=None)},
        {"target_event_name": ""},
        {"target_event_name": "x" * 201},
        {"edition_number": 0},
    ):
        with pytest.raises(ValidationFailed):  # sent unchecked to reach the service
            await cloning.call(contract.CLONE_EVENT, _unchecked(source.id, **bad))
    with pytest.raises(Conflict):  # the name of a live event of the tenant
        await _clone(cloning, source.id, OWN, targetEventName=source.name)
    # nothing of a refused clone stays: no operation, no target event, no events published
    assert await cloning.scalar(sa.select(sa.func.count()).select_from(clone_operation)) == 0
    assert await cloning.scalar(sa.select(sa.func.count()).select_from(event)) == 1
    assert await cloning.events(contract.EVENT_CLONED) == []
    with pytest.raises(NotFound):
        await cloning.call(contract.GET_CLONE_OPERATION, {"id": "nosuchoperation"})
    with pytest.raises(NotFound):
        await cloning.call(contract.LIST_CLONE_OPERATIONS, {"id": "nosuchevent"})


async def test_clone_operations_are_refused_while_the_flag_is_off_and_hidden_from_other_tenants(cloning):
    source, _, _ = await _source(cloning)
    with pytest.raises(FeatureDisabled):
        await cloning.call(contract.CLONE_EVENT, {"id": source.id, **TARGET}, tenant="tenant-without-the-flag")
    done = await clone_settled(cloning, (await _clone(cloning, source.id, OWN)).id)
    with pytest.raises(NotFound):
        await cloning.call(contract.GET_CLONE_OPERATION, {"id": done.id}, tenant=OTHER_TENANT)
    with pytest.raises(FeatureDisabled):
        await cloning.call(contract.GET_CLONE_OPERATION, {"id": done.id}, tenant="tenant-without-the-flag")


async def test_the_parts_are_asked_in_order_with_the_id_map_so_far_and_the_counts_add_up(cloning):
    source, types, _ = await _source(cloning)
    workflow, delegation, checkin, views = [
        await part(cloning.nc, s) for s in ("workflow", "delegation", "checkin", "views")
    ]
    workflow.copy = lambda r: CopiedPart(
        id_map={"wf-1": derived_id(r.operation_id, "wf-1")}, counts={"workflows": 1, "steps": 3}
    )
    delegation.copy = lambda r: CopiedPart(id_map={"q-1": derived_id(r.operation_id, "q-1")}, counts={"quotas": 2})
    summits = await cloning.call(contract.CREATE_SERIES, {"name": "Summits"})
    first = await cloning.call(
        contract.ADD_EDITION, {"seriesId": summits.id, "eventId": source.id, "editionNumber": 4, "year": 2026}
    )

    begun = await _clone(
        cloning, source.id, OWN | {"workflows": True, "delegations": True, "views": True}, seriesId=summits.id
    )
    done = await clone_settled(cloning, begun.id)

    assert done.status is CloneStatus.COMPLETED
    own = {t.id: derived_id(begun.id, t.id) for t in types} | await _own_fields_map(cloning, begun.id, source.id)
    assert workflow.of("copy")[0].body["idMap"] == own
    delegation_map = delegation.of("copy")[0].body["idMap"]
    assert delegation_map["wf-1"] == derived_id(begun.id, "wf-1") and len(delegation_map) == 5
    assert len(views.of("copy")[0].body["idMap"]) == 6 and checkin.calls == []  # checkpoints not asked for
    assert [c.headers["Idempotency-Key"] for c in workflow.calls] == [f"{begun.id}:workflow:copy"]
    assert workflow.calls[0].headers[TENANT_HEADER] == TENANT  # the saga's tenant, for the part's rows
    assert done.elements_copied == {
        "participantTypes": 2,
        "fieldDefinitions": 2,
        "workflows": 1,
        "steps": 3,
        "quotas": 2,
        "totalMappings": 6,
    }
    assert [(s.service, s.status) for s in done.steps] == [
        ("events", "COPIED"),
        ("workflow", "COPIED"),
        ("delegation", "COPIED"),
        ("checkin", "SKIPPED"),
        ("views", "COPIED"),
    ]
    series = await cloning.call(contract.GET_SERIES, {"id": summits.id})
    assert [(e.event_id, e.edition_number, e.year) for e in series.editions or []] == [
        (source.id, first.edition_number, 2026),
        (done.target_event_id, 5, 2027),
    ]
    assert not [c for p in (workflow, delegation, views) for c in p.of("drop")]


async def _own_fields_map(events: EventsService, operation_id: str, source_id: str) -> dict[str, str]:
    rows = await events.execute(sa.select(field_definition.c.id).where(field_definition.c.event_id == source_id))
    return {r.id: derived_id(operation_id, r.id) for r in rows}


async def test_a_part_that_fails_rolls_back_every_part_started_and_the_target_with_the_error_kept(cloning):
    source, _, _ = await _source(cloning)
    workflow, delegation, checkin = [await part(cloning.nc, s) for s in ("workflow", "delegation", "checkin")]
    delegation.copy = lambda r: Conflict("quota table refused the copy")

    begun = await _clone(cloning, source.id, OWN | {"workflows": True, "delegations": True, "checkpoints": True})
    done = await clone_settled(cloning, begun.id)

    assert done.status is CloneStatus.ROLLED_BACK and done.completed_at is not None
    assert done.error_log is not None and "delegation" in done.error_log and "quota table refused" in done.error_log
    assert done.target_event_id is None  # deleted for good
    assert [(s.service, s.status) for s in done.steps] == [
        ("events", "DROPPED"),
        ("workflow", "DROPPED"),
        ("delegation", "DROPPED"),
        ("checkin", "PENDING"),
        ("views", "SKIPPED"),
    ]
    # the failed part is dropped too (its copy may have committed), after the later ones and before the earlier
    assert [c.kind for c in delegation.calls] == ["copy", "drop"] and [c.kind for c in workflow.calls] == [
        "copy",
        "drop",
    ]
    assert checkin.calls == []
    assert delegation.of("drop")[0].headers["Idempotency-Key"] == f"{begun.id}:delegation:drop"
    target_id = begun.target_event_id
    for table in (participant_type, field_definition):
        assert await cloning.scalar(sa.select(sa.func.count()).where(table.c.event_id == target_id)) == 0
    assert await cloning.scalar(sa.select(sa.func.count()).where(event.c.id == target_id)) == 0
    with pytest.raises(NotFound):
        await cloning.call(contract.GET_EVENT, {"id": target_id})
    failed = await cloning.events(contract.CLONE_FAILED)
    assert [(e["operation"]["id"], e["operation"]["status"]) for e in failed] == [(begun.id, "ROLLED_BACK")]
    assert [e["eventId"] for e in await cloning.events(contract.EVENT_DELETED)] == [target_id]
    assert len(await cloning.events(contract.PARTICIPANT_TYPE_DELETED)) == 2
    assert len(await cloning.events(contract.FIELD_DEFINITION_DELETED)) == 2
    assert await cloning.events(contract.EVENT_CLONED) == []
    # the source keeps everything
    assert len((await cloning.call(contract.LIST_PARTICIPANT_TYPES, {"eventId": source.id})).data) == 2


async def test_a_part_that_does_not_answer_is_asked_again_then_the_clone_rolls_back(cloning):
    source, _, _ = await _source(cloning)
    workflow = await part(cloning.nc, "workflow")
    await workflow.stop_copies()  # no workflow answers copies: ServiceUnavailable, transient

    done = await clone_settled(cloning, (await _clone(cloning, source.id, OWN | {"workflows": True})).id)

    assert done.status is CloneStatus.ROLLED_BACK
    assert done.error_log is not None and "SERVICE_UNAVAILABLE" in done.error_log
    assert len(workflow.of("drop")) == 1


async def test_a_saga_whose_process_stopped_mid_part_is_resumed_by_the_next_and_completes_once(
    cloning, plenary_settings
):
    source, _, _ = await _source(cloning)
    workflow = await part(cloning.nc, "workflow")
    workflow.hold = asyncio.Event()
    workflow.copy = lambda r: CopiedPart(id_map={"wf-1": derived_id(r.operation_id, "wf-1")}, counts={"workflows": 1})

    begun = await _clone(cloning, source.id, OWN | {"workflows": True})
    await eventually(lambda: len(workflow.calls) == 1)
    await cloning.runtime.stop()  # the first process goes; its part's reply is lost with it
    workflow.hold.set()
    stored = await _operation_row(cloning, begun.id)
    assert (stored.phase, stored.steps["workflow"]["status"]) == ("COPYING", "STARTED")

    async with running(EVENTS, plenary_settings, flags=[FlagKey.EVENT_CLONE]) as (runtime, nc):
        second = EventsService(runtime, nc)
        done = await clone_settled(second, begun.id)
        assert done.status is CloneStatus.COMPLETED and done.elements_copied["workflows"] == 1
        assert [c.headers["Idempotency-Key"] for c in workflow.calls] == [f"{begun.id}:workflow:copy"] * 2
        assert len(await second.events(contract.EVENT_CLONED)) == 1


async def test_a_saga_leased_to_a_live_process_is_left_alone_until_its_lease_runs_out(cloning, plenary_settings):
    source, _, _ = await _source(cloning)
    workflow = await part(cloning.nc, "workflow")
    workflow.hold = asyncio.Event()
    begun = await _clone(cloning, source.id, OWN | {"workflows": True})
    await eventually(lambda: len(workflow.calls) == 1)
    await cloning.runtime.stop()
    # as if the process that holds it were alive for a while yet (its lease renewed just now)
    await cloning.execute(
        sa.update(clone_operation)
        .where(clone_operation.c.id == begun.id)
        .values(claimed_until=sa.func.now() + sa.text("interval '2 seconds'"))
    )
    workflow.hold.set()

    async with running(EVENTS, plenary_settings, flags=[FlagKey.EVENT_CLONE]) as (runtime, nc):
        second = EventsService(runtime, nc)
        await asyncio.sleep(1.0)
        assert len(workflow.calls) == 1  # not taken while the lease holds
        done = await clone_settled(second, begun.id)
        assert done.status is CloneStatus.COMPLETED and len(workflow.calls) == 2


async def test_a_saga_stopped_while_compensating_goes_on_compensating_after_restart(cloning, plenary_settings):
    source, _, _ = await _source(cloning)
    workflow, delegation = [await part(cloning.nc, s) for s in ("workflow", "delegation")]
    delegation.copy = lambda r: Conflict("refused")
    begun = await _clone(cloning, source.id, OWN | {"workflows": True, "delegations": True})
    await clone_settled(cloning, begun.id)
    # replay the state of a process that died just after it turned back: COMPENSATING, nothing dropped yet
    target = await cloning.event("Summit 2027")
    await cloning.runtime.stop()
    await cloning.execute(
        sa.update(clone_operation)
        .where(clone_operation.c.id == begun.id)
        .values(
            phase="COMPENSATING",
            status=CloneStatus.FAILED,
            target_event_id=target.id,
            claimed_until=None,
            steps={
                "events": {"status": "COPIED", "counts": {}},
                "workflow": {"status": "COPIED", "counts": {}},
                "delegation": {"status": "FAILED", "counts": {}},
                "checkin": {"status": "SKIPPED", "counts": {}},
                "views": {"status": "SKIPPED", "counts": {}},
            },
        )
    )
    copies = len(workflow.of("copy"))

    async with running(EVENTS, plenary_settings, flags=[FlagKey.EVENT_CLONE]) as (runtime, nc):
        second = EventsService(runtime, nc)
        done = await clone_settled(second, begun.id)
        assert done.status is CloneStatus.ROLLED_BACK
        assert len(workflow.of("copy")) == copies  # never forward again
        assert len(workflow.of("drop")) == 2 and len(delegation.of("drop")) == 2
        with pytest.raises(NotFound):
            await second.call(contract.GET_EVENT, {"id": target.id})


async def _operation_row(events: EventsService, operation_id: str):  # type: ignore[no-untyped-def]
    rows = await events.execute(sa.select(clone_operation).where(clone_operation.c.id == operation_id))
    return rows.one()


async def test_a_part_that_takes_longer_than_the_lease_is_not_taken_over_by_another_live_replica(
    cloning, plenary_settings
):
    source, _, _ = await _source(cloning)
    workflow = await part(cloning.nc, "workflow")
    workflow.hold = asyncio.Event()
    async with running(EVENTS, plenary_settings, flags=[FlagKey.EVENT_CLONE]):  # a second replica, sweeping
        begun = await _clone(cloning, source.id, OWN | {"workflows": True})
        await eventually(lambda: len(workflow.calls) == 1)
        await asyncio.sleep(5)  # two and a half leases: the driver's heartbeat keeps its lease
        assert len(workflow.calls) == 1
        workflow.hold.set()
        done = await clone_settled(cloning, begun.id)
    assert done.status is CloneStatus.COMPLETED and len(workflow.calls) == 1


async def test_an_edition_number_taken_by_the_time_the_parts_are_copied_rolls_the_clone_back(cloning):
    source, _, _ = await _source(cloning)
    summits = await cloning.call(contract.CREATE_SERIES, {"name": "Summits"})
    workflow = await part(cloning.nc, "workflow")
    workflow.hold = asyncio.Event()
    begun = await _clone(cloning, source.id, OWN | {"workflows": True}, seriesId=summits.id, editionNumber=7)
    await eventually(lambda: len(workflow.calls) == 1)
    other = await cloning.event("Another summit")
    await cloning.call(
        contract.ADD_EDITION, {"seriesId": summits.id, "eventId": other.id, "editionNumber": 7, "year": 2027}
    )
    workflow.hold.set()

    done = await clone_settled(cloning, begun.id)

    assert done.status is CloneStatus.ROLLED_BACK and done.error_log is not None and "edition" in done.error_log
    assert len(workflow.of("drop")) == 1
    series = await cloning.call(contract.GET_SERIES, {"id": summits.id})
    assert [e.event_id for e in series.editions or []] == [other.id]
