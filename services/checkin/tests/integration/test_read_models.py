"""checkin's read models, kept from other services' events: registration's participants, workflow's status
decisions, the events service's events, and a deleted tenant's purge. Each handles a redelivered event once,
ignores an older change that arrives after a newer one, and never reaches into another tenant's rows."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from checkin_svc.adapters import tables

from plenary_contracts.catalog import events as events_contract
from plenary_contracts.catalog import identity, registration, workflow
from plenary_contracts.enums import (
    CheckpointDirection,
    CheckpointType,
    KioskSessionType,
    ParticipantStatus,
    ScanResult,
    ScanType,
)
from plenary_contracts.events import EventSpec
from plenary_kit.ids import new_id
from plenary_kit.testing.producing import produced

from .conftest import OTHER_TENANT, TENANT, consumed, eventually, status_change

P, E = tables.participant.c, tables.event.c


async def _held(checkin, participant_id: str):
    return (await checkin.execute(sa.select(tables.participant).where(P.id == participant_id))).first()


def _record(participant, **changes) -> dict:
    """The participant as registration publishes it, with ``changes`` (``updatedAt`` moves it in time)."""
    return {
        "id": participant.id,
        "tenantId": participant.tenant_id,
        "eventId": participant.event_id,
        "participantTypeId": participant.type_id,
        "registrationCode": participant.registration_code,
        "firstName": "Ada",
        "lastName": "Lovelace",
        "email": participant.email,
        "status": "APPROVED",
        "extras": {},
        "createdAt": datetime.now(UTC).isoformat(),
        "updatedAt": datetime.now(UTC).isoformat(),
        **changes,
    }


async def _redeliver(checkin, spec, event) -> None:
    """The same CloudEvent again, as a redelivery past JetStream's duplicate window: only its id is the same."""
    headers = {k: v for k, v in event.to_nats_headers().items() if k != "Nats-Msg-Id"}
    await checkin.nc.jetstream().publish(spec.subject, event.to_nats_payload(), headers=headers, timeout=5)


@dataclass(frozen=True)
class Trail:
    """Rows of every check-in table that name one participant of one event."""

    checkpoint_id: str
    access_log_id: str
    kiosk_id: str
    session_id: str
    ticket_id: str


async def _trail(checkin, participant, *, zone_id: str | None = None) -> Trail:
    tenant, event_id, pid = participant.tenant_id, participant.event_id, participant.id
    checkpoint_id, log_id, kiosk_id, session_id, ticket_id = (new_id() for _ in range(5))
    now = datetime.now(UTC)
    await checkin.execute(
        sa.insert(tables.checkpoint).values(
            id=checkpoint_id,
            tenant_id=tenant,
            event_id=event_id,
            name=f"Gate {checkpoint_id[-6:]}",
            type=CheckpointType.GATE,
            direction=CheckpointDirection.ENTRY,
        )
    )
    await checkin.execute(
        sa.insert(tables.access_log).values(
            id=log_id,
            tenant_id=tenant,
            checkpoint_id=checkpoint_id,
            event_id=event_id,
            participant_id=pid,
            scan_type=ScanType.QR_SCAN,
            scan_result=ScanResult.VALID,
            reason="admitted",
            qr_payload="PAYLOAD",
            scanned_by="staff",
        )
    )
    await checkin.execute(
        sa.insert(tables.kiosk_device).values(
            id=kiosk_id, tenant_id=tenant, event_id=event_id, name=f"Kiosk {kiosk_id[-6:]}", location="Hall"
        )
    )
    await checkin.execute(
        sa.insert(tables.kiosk_session).values(
            id=session_id,
            tenant_id=tenant,
            device_id=kiosk_id,
            participant_id=pid,
            session_type=KioskSessionType.CHECK_IN,
        )
    )
    await checkin.execute(
        sa.insert(tables.queue_ticket).values(
            id=ticket_id,
            tenant_id=tenant,
            event_id=event_id,
            participant_id=pid,
            ticket_number=f"A{ticket_id[-3:]}",
            ticket_date=now.date(),
        )
    )
    await checkin.execute(
        sa.insert(tables.presence).values(
            tenant_id=tenant, event_id=event_id, participant_id=pid, zone_id=zone_id, inside=True, moved_at=now
        )
    )
    return Trail(checkpoint_id, log_id, kiosk_id, session_id, ticket_id)


async def _participant_of(checkin, table: sa.Table, row_id: str) -> str | None:
    return await checkin.scalar(sa.select(table.c.participant_id).where(table.c.id == row_id))


# --- participants --------------------------------------------------------------------------------


async def test_a_registered_participant_is_held_with_its_type_code_names_email_and_status(checkin):
    event = await checkin.seed_event()
    person = await checkin.register(event, status=ParticipantStatus.PENDING, first_name="Grace", last_name="Hopper")

    held = await _held(checkin, person.id)
    assert (held.tenant_id, held.event_id, held.participant_type_id) == (TENANT, event.id, person.type_id)
    assert (held.registration_code, held.first_name, held.last_name, held.email) == (
        person.registration_code,
        "Grace",
        "Hopper",
        person.email,
    )
    assert (held.status, held.status_version) == (ParticipantStatus.PENDING, 0)


async def test_an_update_changes_the_participant_and_an_older_one_arriving_after_it_is_ignored(checkin):
    event = await checkin.seed_event()
    person = await checkin.register(event)
    registered_at = (await _held(checkin, person.id)).source_updated_at

    newer = _record(person, lastName="Byron", status="CANCELLED", updatedAt=(registered_at + timedelta(seconds=10)))
    older = _record(person, lastName="Stale", status="APPROVED", updatedAt=(registered_at + timedelta(seconds=5)))
    for record in (newer, older):
        record["updatedAt"] = record["updatedAt"].isoformat()
        await checkin.publish(registration.PARTICIPANT_UPDATED, {"participant": record})
    await consumed(checkin, "checkin_participant_directory")

    held = await _held(checkin, person.id)
    assert (held.last_name, held.status) == ("Byron", ParticipantStatus.CANCELLED)


async def test_a_participant_record_under_another_tenants_event_changes_nothing(checkin):
    event = await checkin.seed_event()
    person = await checkin.register(event)
    later = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()

    # The same id claimed by a record of another tenant: neither this tenant's row nor a second one changes
    foreign = _record(person, tenantId=OTHER_TENANT, lastName="Intruder", updatedAt=later)
    await checkin.publish(registration.PARTICIPANT_UPDATED, {"participant": foreign}, tenant=OTHER_TENANT)
    # A record naming this tenant carried by another tenant's event
    await checkin.publish(
        registration.PARTICIPANT_UPDATED, {"participant": _record(person, lastName="Smuggled", updatedAt=later)},
        tenant=OTHER_TENANT,
    )  # fmt: skip
    await consumed(checkin, "checkin_participant_directory")

    held = await _held(checkin, person.id)
    assert (held.tenant_id, held.last_name) == (TENANT, "Lovelace")


async def test_a_deleted_participant_leaves_its_scans_and_sessions_unnamed_and_loses_tickets_and_presence(checkin):
    event = await checkin.seed_event()
    person, other = await checkin.register(event), await checkin.register(event)
    gone, kept = await _trail(checkin, person), await _trail(checkin, other)

    await checkin.publish(registration.PARTICIPANT_DELETED, {"participantId": person.id, "eventId": event.id})
    await consumed(checkin, "checkin_participant_directory")

    assert await _held(checkin, person.id) is None
    assert await checkin.count(tables.access_log, tables.access_log.c.id == gone.access_log_id) == 1
    assert await _participant_of(checkin, tables.access_log, gone.access_log_id) is None
    assert await _participant_of(checkin, tables.kiosk_session, gone.session_id) is None
    assert await checkin.count(tables.queue_ticket, tables.queue_ticket.c.id == gone.ticket_id) == 0
    assert await checkin.count(tables.presence, tables.presence.c.participant_id == person.id) == 0
    # Everyone else's rows stay as they were
    assert await _held(checkin, other.id) is not None
    assert await _participant_of(checkin, tables.access_log, kept.access_log_id) == other.id
    assert await _participant_of(checkin, tables.kiosk_session, kept.session_id) == other.id
    assert await _participant_of(checkin, tables.queue_ticket, kept.ticket_id) == other.id
    assert await checkin.count(tables.presence, tables.presence.c.participant_id == other.id) == 1


async def test_another_tenants_deletion_of_a_participant_id_deletes_nothing_here(checkin):
    event = await checkin.seed_event()
    person = await checkin.register(event)
    trail = await _trail(checkin, person)

    data = {"participantId": person.id, "eventId": event.id}
    await checkin.publish(registration.PARTICIPANT_DELETED, data, tenant=OTHER_TENANT)
    await consumed(checkin, "checkin_participant_directory")

    assert await _held(checkin, person.id) is not None
    assert await _participant_of(checkin, tables.access_log, trail.access_log_id) == person.id
    assert await _participant_of(checkin, tables.queue_ticket, trail.ticket_id) == person.id


async def test_a_redelivered_registration_after_the_deletion_does_not_bring_the_participant_back(checkin):
    event = await checkin.seed_event()
    person = await checkin.register(event)
    first = await checkin.publish(registration.PARTICIPANT_REGISTERED, {"participant": _record(person)})
    await checkin.publish(registration.PARTICIPANT_DELETED, {"participantId": person.id, "eventId": event.id})
    await consumed(checkin, "checkin_participant_directory")
    assert await _held(checkin, person.id) is None

    await _redeliver(checkin, registration.PARTICIPANT_REGISTERED, first)
    await consumed(checkin, "checkin_participant_directory")

    assert await _held(checkin, person.id) is None  # the inbox knew the event: handled once
    inbox = tables.messaging.inbox.c
    assert await checkin.count(tables.messaging.inbox, inbox.event_id == first.id) == 1


async def test_a_merge_moves_scans_tickets_and_sessions_to_the_survivor_and_drops_the_merged(checkin):
    event = await checkin.seed_event()
    survivor, merged, bystander = [await checkin.register(event) for _ in range(3)]
    survivor_trail = await _trail(checkin, survivor)
    merged_trail = await _trail(checkin, merged, zone_id="vip")
    bystander_trail = await _trail(checkin, bystander)

    # As registration merges: the survivor's update, then the merge
    later = (datetime.now(UTC) + timedelta(seconds=5)).isoformat()
    await checkin.publish(
        registration.PARTICIPANT_UPDATED, {"participant": _record(survivor, lastName="Merged", updatedAt=later)}
    )
    merge = {"survivorId": survivor.id, "mergedIds": [merged.id], "eventId": event.id}
    await checkin.publish(registration.PARTICIPANT_MERGED, merge)
    await consumed(checkin, "checkin_participant_directory")

    assert await _held(checkin, merged.id) is None
    assert (await _held(checkin, survivor.id)).last_name == "Merged"
    for trail in (survivor_trail, merged_trail):
        assert await _participant_of(checkin, tables.access_log, trail.access_log_id) == survivor.id
        assert await _participant_of(checkin, tables.queue_ticket, trail.ticket_id) == survivor.id
        assert await _participant_of(checkin, tables.kiosk_session, trail.session_id) == survivor.id
    presence = tables.presence.c
    assert await checkin.count(tables.presence, presence.participant_id == merged.id) == 0
    assert await checkin.count(tables.presence, presence.participant_id == survivor.id) == 1
    assert await _participant_of(checkin, tables.access_log, bystander_trail.access_log_id) == bystander.id


async def test_another_tenants_merge_naming_these_participants_moves_nothing(checkin):
    event = await checkin.seed_event()
    survivor, merged = await checkin.register(event), await checkin.register(event)
    trail = await _trail(checkin, merged)

    merge = {"survivorId": survivor.id, "mergedIds": [merged.id], "eventId": event.id}
    await checkin.publish(registration.PARTICIPANT_MERGED, merge, tenant=OTHER_TENANT)
    await consumed(checkin, "checkin_participant_directory")

    assert await _held(checkin, merged.id) is not None
    assert await _participant_of(checkin, tables.access_log, trail.access_log_id) == merged.id


# --- workflow's status decisions -----------------------------------------------------------------


async def test_a_rejection_is_mirrored_and_an_older_decision_arriving_after_it_is_ignored(checkin):
    event = await checkin.seed_event()
    person = await checkin.register(event, status=ParticipantStatus.PENDING)

    await checkin.decide(person, ParticipantStatus.REJECTED, version=3)
    held = await _held(checkin, person.id)
    assert (held.status, held.status_version) == (ParticipantStatus.REJECTED, 3)

    older = workflow_status_changed(person, ParticipantStatus.APPROVED, version=2)
    await checkin.publish(older.spec, older.data)
    await consumed(checkin, "checkin_status_mirror")
    held = await _held(checkin, person.id)
    assert (held.status, held.status_version) == (ParticipantStatus.REJECTED, 3)

    await checkin.decide(person, ParticipantStatus.APPROVED, version=4)
    assert (await _held(checkin, person.id)).status_version == 4


async def test_a_registration_update_carrying_an_older_decision_keeps_the_newer_status_but_changes_the_rest(checkin):
    event = await checkin.seed_event()
    person = await checkin.register(event, status=ParticipantStatus.PENDING)
    await checkin.decide(person, ParticipantStatus.REJECTED, version=3)
    at = (await _held(checkin, person.id)).source_updated_at

    def update(seconds: int, **changes) -> dict:
        return _record(person, updatedAt=(at + timedelta(seconds=seconds)).isoformat(), **changes)

    # sent by registration before it mirrored decision 3: newer in time, older in decisions
    stale = update(5, lastName="Byron", status="APPROVED", progressVersion=2)
    await checkin.publish(registration.PARTICIPANT_UPDATED, {"participant": stale})
    await consumed(checkin, "checkin_participant_directory")
    held = await _held(checkin, person.id)
    assert (held.last_name, held.status, held.status_version) == ("Byron", ParticipantStatus.REJECTED, 3)

    # registration's own change on top of decision 3 (a cancellation) is taken
    own = update(10, status="CANCELLED", progressVersion=3)
    await checkin.publish(registration.PARTICIPANT_UPDATED, {"participant": own})
    await consumed(checkin, "checkin_participant_directory")
    held = await _held(checkin, person.id)
    assert (held.status, held.status_version) == (ParticipantStatus.CANCELLED, 3)


async def test_a_status_decision_about_an_unknown_or_another_tenants_participant_changes_nothing(checkin):
    event = await checkin.seed_event()
    person = await checkin.register(event, status=ParticipantStatus.PENDING)
    unknown = workflow_status_changed(person, ParticipantStatus.APPROVED, version=1, participant_id=new_id())
    await checkin.publish(unknown.spec, unknown.data)
    foreign = workflow_status_changed(person, ParticipantStatus.REJECTED, version=9)
    await checkin.publish(foreign.spec, foreign.data, tenant=OTHER_TENANT)
    await consumed(checkin, "checkin_status_mirror")

    assert await checkin.count(tables.participant, P.id == unknown.data["participantId"]) == 0
    held = await _held(checkin, person.id)
    assert (held.status, held.status_version) == (ParticipantStatus.PENDING, 0)


async def test_a_redelivered_status_decision_is_handled_once(checkin):
    event = await checkin.seed_event()
    person = await checkin.register(event, status=ParticipantStatus.PENDING)
    decision = workflow_status_changed(person, ParticipantStatus.APPROVED, version=1)
    first = await checkin.publish(decision.spec, decision.data)
    await _redeliver(checkin, decision.spec, first)
    await consumed(checkin, "checkin_status_mirror")

    assert (await _held(checkin, person.id)).status is ParticipantStatus.APPROVED
    inbox = tables.messaging.inbox.c
    assert await checkin.count(tables.messaging.inbox, inbox.event_id == first.id) == 1


@dataclass(frozen=True)
class Published:
    spec: EventSpec
    data: dict


def workflow_status_changed(
    person, status: ParticipantStatus, *, version: int, participant_id: str | None = None
) -> Published:
    data = status_change(person, status, version=version, participant_id=participant_id)
    return Published(workflow.PARTICIPANT_STATUS_CHANGED, data)


# --- events --------------------------------------------------------------------------------------


def _event_record(event, **changes) -> dict:
    now = datetime.now(UTC)
    return {
        "id": event.id,
        "tenantId": event.tenant_id,
        "name": "Summit",
        "description": "",
        "status": "PUBLISHED",
        "startDate": (now - timedelta(days=1)).isoformat(),
        "endDate": event.end_date.isoformat(),
        "timezone": event.timezone,
        "createdAt": now.isoformat(),
        "updatedAt": now.isoformat(),
        **changes,
    }


async def test_an_event_is_held_with_its_end_and_timezone_and_an_older_update_after_a_newer_is_ignored(checkin):
    event = await checkin.seed_event(timezone="Europe/Paris")
    held = (await checkin.execute(sa.select(tables.event).where(E.id == event.id))).one()
    assert (held.tenant_id, held.end_date, held.timezone) == (TENANT, event.end_date, "Europe/Paris")

    base = held.source_updated_at
    newer = _event_record(event, timezone="Asia/Tokyo", updatedAt=(base + timedelta(seconds=10)).isoformat())
    older = _event_record(event, timezone="America/Lima", updatedAt=(base + timedelta(seconds=5)).isoformat())
    await checkin.publish(events_contract.EVENT_UPDATED, {"event": newer})
    await checkin.publish(events_contract.EVENT_UPDATED, {"event": older})
    await consumed(checkin, "checkin_event_directory")

    assert await checkin.scalar(sa.select(E.timezone).where(E.id == event.id)) == "Asia/Tokyo"


async def _gone(checkin, where) -> None:  # type: ignore[no-untyped-def]
    """Wait until the deletion's transaction committed (a durable's counters may show its message handled a moment
    before: waiting on them alone made these tests flaky)."""

    async def none_left() -> bool:
        return await checkin.count(tables.event, where) == 0

    await eventually(none_left, timeout=20)


async def test_a_deleted_event_takes_every_check_in_row_of_it_along_and_nothing_else(checkin):
    event, other_event = await checkin.seed_event(), await checkin.seed_event()
    person, other = await checkin.register(event), await checkin.register(other_event)
    gone, kept = await _trail(checkin, person), await _trail(checkin, other)
    for each in (event, other_event):
        await checkin.execute(
            sa.insert(tables.venue_occupancy).values(
                id=new_id(), tenant_id=TENANT, event_id=each.id, current_count=1, max_capacity=10
            )
        )
        await checkin.execute(
            sa.insert(tables.device).values(
                id=new_id(), tenant_id=TENANT, event_id=each.id, name="Scanner", api_key_id=new_id(), key_prefix="ak"
            )
        )

    await checkin.publish(events_contract.EVENT_DELETED, {"eventId": event.id})
    await _gone(checkin, tables.event.c.id == event.id)  # the whole deletion commits at once

    of_event = {
        tables.checkpoint: tables.checkpoint.c.event_id,
        tables.access_log: tables.access_log.c.event_id,
        tables.venue_occupancy: tables.venue_occupancy.c.event_id,
        tables.presence: tables.presence.c.event_id,
        tables.kiosk_device: tables.kiosk_device.c.event_id,
        tables.queue_ticket: tables.queue_ticket.c.event_id,
        tables.device: tables.device.c.event_id,
        tables.participant: tables.participant.c.event_id,
        tables.event: tables.event.c.id,
    }
    for table, column in of_event.items():
        assert await checkin.count(table, column == event.id) == 0, table.name
        assert await checkin.count(table, column == other_event.id) == 1, table.name
    session = tables.kiosk_session.c
    assert await checkin.count(tables.kiosk_session, session.id == gone.session_id) == 0
    assert await checkin.count(tables.kiosk_session, session.id == kept.session_id) == 1


async def test_another_tenants_deletion_of_an_event_id_deletes_nothing_here(checkin):
    event = await checkin.seed_event()
    person = await checkin.register(event)
    await _trail(checkin, person)

    await checkin.publish(events_contract.EVENT_DELETED, {"eventId": event.id}, tenant=OTHER_TENANT)
    await consumed(checkin, "checkin_event_directory")

    assert await checkin.count(tables.event, E.id == event.id) == 1
    assert await checkin.count(tables.checkpoint, tables.checkpoint.c.event_id == event.id) == 1
    assert await checkin.count(tables.participant, P.event_id == event.id) == 1


async def test_a_redelivered_event_creation_after_the_deletion_does_not_bring_the_event_back(checkin):
    event = await checkin.seed_event()
    created = produced(events_contract.EVENT_CREATED, {"event": _event_record(event)}, tenant=TENANT)
    await _redeliver(checkin, events_contract.EVENT_CREATED, created)
    await checkin.publish(events_contract.EVENT_DELETED, {"eventId": event.id})
    await consumed(checkin, "checkin_event_directory")
    assert await checkin.count(tables.event, E.id == event.id) == 0

    await _redeliver(checkin, events_contract.EVENT_CREATED, created)
    await consumed(checkin, "checkin_event_directory")
    assert await checkin.count(tables.event, E.id == event.id) == 0


# --- a deleted tenant ----------------------------------------------------------------------------


async def test_a_deleted_tenants_rows_go_and_other_tenants_rows_stay(checkin):
    mine, theirs = await checkin.seed_event(), await checkin.seed_event(tenant=OTHER_TENANT)
    await _trail(checkin, await checkin.register(mine))
    await _trail(checkin, await checkin.register(theirs))

    await checkin.publish(identity.TENANT_DELETED, {"tenantId": TENANT}, tenant=TENANT)
    await _gone(checkin, tables.event.c.tenant_id == TENANT)  # the whole purge commits at once

    for table in (tables.event, tables.participant, tables.checkpoint, tables.access_log, tables.kiosk_session):
        assert await checkin.count(table, table.c.tenant_id == TENANT) == 0, table.name
        assert await checkin.count(table, table.c.tenant_id == OTHER_TENANT) == 1, table.name
