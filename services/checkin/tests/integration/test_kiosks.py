import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from checkin_svc.adapters import tables
from checkin_svc.application.kiosks import KioskSweep

from plenary_contracts import credentials
from plenary_contracts.access import Grant, encode_grants
from plenary_contracts.catalog import checkin as contract
from plenary_contracts.catalog.identity import SYSTEM_USER_ID
from plenary_contracts.enums import (
    ApiKeyStatus,
    KioskLanguage,
    KioskMode,
    KioskSessionType,
    PermissionAccess,
    QueueStatus,
    RoleScope,
    ScanResult,
)
from plenary_contracts.errors import BadRequest, Conflict, FeatureDisabled, Forbidden, NotFound, ValidationFailed
from plenary_contracts.flags import FlagContext, FlagKey
from plenary_kit.ids import new_id
from plenary_kit.testing.flags import put_flag

from .conftest import ADMIN, OTHER_TENANT, TENANT, SeededEvent, eventually

kiosk_row = tables.kiosk_device.c
session_row = tables.kiosk_session.c


@dataclass(frozen=True)
class Paired:
    kiosk: contract.Kiosk
    device_key: str
    api_key_id: str


@pytest.fixture
async def kiosks(checkin, identity):
    """checkin with identity beside it and kiosk mode on for both test tenants."""
    await put_flag(checkin.nc, FlagKey.KIOSK_MODE, tenants=(TENANT, OTHER_TENANT))
    on = [FlagContext(tenant_id=t) for t in (TENANT, OTHER_TENANT)]
    await eventually(lambda: all(checkin.runtime.flags.is_enabled(FlagKey.KIOSK_MODE, c) for c in on))
    return checkin


async def _register(checkin, event: SeededEvent, name: str = "Lobby", **fields) -> Paired:
    body = {"eventId": event.id, "name": name, "location": "Main hall", **fields}
    registered = await checkin.call(contract.REGISTER_KIOSK, body, tenant=event.tenant_id)
    key_id = await checkin.scalar(sa.select(kiosk_row.api_key_id).where(kiosk_row.id == registered.kiosk.id))
    return Paired(registered.kiosk, registered.device_key, key_id)


async def _at(checkin, paired: Paired, spec, body=None, **context):
    """Call as the kiosk does through the gateway: with its device key, which the gateway turns into the key's
    tenant, its creator, its credential and its one permission bound to the kiosk's event."""
    grants = encode_grants([Grant("check-in:scan", PermissionAccess.ANY, RoleScope.EVENT, paired.kiosk.event_id)])
    as_kiosk = {
        "tenant": paired.kiosk.tenant_id,
        "actor": ADMIN,
        "credential": f"api_key:{paired.api_key_id}",
        "grants": grants,
    }
    return await checkin.call(spec, body or {}, **{**as_kiosk, **context})


async def _key_status(identity, api_key_id: str) -> ApiKeyStatus | None:
    api_key = identity.spec.metadata.tables["identity.api_key"]
    async with identity.engine.connect() as conn:
        return (await conn.execute(sa.select(api_key.c.status).where(api_key.c.id == api_key_id))).scalar()


async def _keys(identity, status: ApiKeyStatus) -> int:
    api_key = identity.spec.metadata.tables["identity.api_key"]
    async with identity.engine.connect() as conn:
        query = sa.select(sa.func.count()).where(api_key.c.status == status)
        return (await conn.execute(query)).scalar_one()


async def _age(checkin, kiosk_id: str, *, minutes: float, online: bool = True) -> None:
    heard = datetime.now(UTC) - timedelta(minutes=minutes)
    statement = sa.update(tables.kiosk_device).where(kiosk_row.id == kiosk_id).values(last_heartbeat=heard)
    await checkin.execute(statement.values(is_online=online))


# --- registering and pairing ----------------------------------------------------------------------


async def test_a_registered_kiosk_is_paired_with_an_event_bound_key_shown_once(kiosks, identity):
    event = await kiosks.seed_event()
    paired = await _register(kiosks, event, language="fr", mode="check-in")
    kiosk = paired.kiosk
    assert (kiosk.event_id, kiosk.name, kiosk.location) == (event.id, "Lobby", "Main hall")
    assert (kiosk.language, kiosk.mode, kiosk.is_online) == (KioskLanguage.FR, KioskMode.CHECK_IN, True)
    assert credentials.parse_api_key(paired.device_key).display_prefix == kiosk.key_prefix

    api_key = identity.spec.metadata.tables["identity.api_key"]
    async with identity.engine.connect() as conn:
        issued = (await conn.execute(sa.select(api_key).where(api_key.c.id == paired.api_key_id))).one()
    assert (issued.tenant_id, issued.status, issued.key_prefix) == (TENANT, ApiKeyStatus.ACTIVE, kiosk.key_prefix)
    assert (issued.permissions, issued.scopes) == (["check-in:scan"], {"eventIds": [event.id]})

    (announced,) = await kiosks.events(contract.KIOSK_REGISTERED)
    assert announced == {"kiosk": kiosk.model_dump(mode="json", by_alias=True)}
    assert "deviceKey" not in str(announced) and paired.device_key not in str(announced)
    assert await kiosks.call(contract.GET_KIOSK, {"id": kiosk.id}) == kiosk


async def test_a_kiosk_name_is_unique_in_its_event_and_a_refused_kiosk_keeps_no_working_key(kiosks, identity):
    event, other = await kiosks.seed_event(), await kiosks.seed_event()
    await _register(kiosks, event, "Lobby")
    with pytest.raises(Conflict):
        await _register(kiosks, event, "Lobby")
    await _register(kiosks, other, "Lobby")  # another event may use the name
    assert await _keys(identity, ApiKeyStatus.ACTIVE) == 2

    # at once: the name check passes for several, the unique key lets one in and the others' keys are revoked
    attempts = await asyncio.gather(*(_register(kiosks, event, "Desk") for _ in range(4)), return_exceptions=True)
    assert sum(isinstance(a, Paired) for a in attempts) == 1
    assert all(isinstance(a, (Paired, Conflict)) for a in attempts)
    assert await _keys(identity, ApiKeyStatus.ACTIVE) == 3
    assert await kiosks.count(tables.kiosk_device) == 3


async def test_a_kiosk_is_registered_only_at_an_event_of_the_callers_tenant(kiosks, identity):
    theirs = await kiosks.seed_event(tenant=OTHER_TENANT)
    for event_id in (theirs.id, new_id()):
        with pytest.raises(NotFound):
            await kiosks.call(contract.REGISTER_KIOSK, {"eventId": event_id, "name": "Lobby", "location": "Hall"})
    assert await _keys(identity, ApiKeyStatus.ACTIVE) == 0
    assert await kiosks.count(tables.kiosk_device) == 0


# --- staff's operations ---------------------------------------------------------------------------


async def test_kiosks_are_listed_changed_and_refused_to_another_tenant(kiosks):
    event = await kiosks.seed_event()
    lobby, desk = await _register(kiosks, event, "Lobby"), await _register(kiosks, event, "Desk")
    await _age(kiosks, desk.kiosk.id, minutes=10, online=False)

    listed = await kiosks.call(contract.LIST_KIOSKS, {"eventId": event.id, "sort": "name:asc"})
    assert [k.name for k in listed.data] == ["Desk", "Lobby"] and listed.meta.total == 2
    online = await kiosks.call(contract.LIST_KIOSKS, {"eventId": event.id, "isOnline": True})
    assert [k.id for k in online.data] == [lobby.kiosk.id]
    with pytest.raises(ValidationFailed) as unsortable:
        await kiosks.call(contract.LIST_KIOSKS, {"eventId": event.id, "sort": "apiKeyId:asc"})
    assert unsortable.value.errors[0].loc == ["query", "sort"]

    changed = await kiosks.call(contract.UPDATE_KIOSK, {"id": lobby.kiosk.id, "name": "Entrance", "language": "am"})
    assert (changed.name, changed.language, changed.location) == ("Entrance", KioskLanguage.AM, "Main hall")
    with pytest.raises(Conflict):
        await kiosks.call(contract.UPDATE_KIOSK, {"id": lobby.kiosk.id, "name": "Desk"})
    (update,) = await kiosks.events(contract.KIOSK_UPDATED)
    assert update["kiosk"]["name"] == "Entrance"

    for spec, body in (
        (contract.GET_KIOSK, {"id": lobby.kiosk.id}),
        (contract.UPDATE_KIOSK, {"id": lobby.kiosk.id, "name": "Mine"}),
        (contract.DECOMMISSION_KIOSK, {"id": lobby.kiosk.id}),
        (contract.LIST_KIOSKS, {"eventId": event.id}),
        (contract.KIOSK_STATS, {"eventId": event.id}),
    ):
        with pytest.raises(NotFound):
            await kiosks.call(spec, body, tenant=OTHER_TENANT)
    assert (await kiosks.call(contract.GET_KIOSK, {"id": lobby.kiosk.id})).name == "Entrance"


async def test_a_decommissioned_kiosk_goes_with_its_sessions_and_its_key_stops_working(kiosks, identity):
    event = await kiosks.seed_event()
    paired = await _register(kiosks, event)
    await _at(kiosks, paired, contract.START_KIOSK_SESSION, {"sessionType": "info-browse"})

    removed = await kiosks.call(contract.DECOMMISSION_KIOSK, {"id": paired.kiosk.id})
    assert removed.id == paired.kiosk.id
    assert await kiosks.count(tables.kiosk_device) == await kiosks.count(tables.kiosk_session) == 0
    assert await _key_status(identity, paired.api_key_id) == ApiKeyStatus.REVOKED
    (gone,) = await kiosks.events(contract.KIOSK_DECOMMISSIONED)
    assert gone["kiosk"]["id"] == paired.kiosk.id
    with pytest.raises(NotFound):
        await kiosks.call(contract.DECOMMISSION_KIOSK, {"id": paired.kiosk.id})
    with pytest.raises(Forbidden):  # were the key to reach the service, it is no kiosk's any more
        await _at(kiosks, paired, contract.KIOSK_HEARTBEAT)


async def test_kiosks_are_off_without_kiosk_mode(checkin, identity):
    event = await checkin.seed_event()
    with pytest.raises(FeatureDisabled):
        await checkin.call(contract.REGISTER_KIOSK, {"eventId": event.id, "name": "Lobby", "location": "Hall"})
    with pytest.raises(FeatureDisabled):
        await checkin.call(contract.KIOSK_HEARTBEAT, {}, credential="api_key:whatever")


# --- the kiosk itself -----------------------------------------------------------------------------


async def test_only_a_kiosks_own_key_acts_as_a_kiosk(kiosks):
    event = await kiosks.seed_event()
    paired = await _register(kiosks, event)
    for credential in (None, f"session:{new_id()}", f"api_key:{new_id()}", "api_key:"):
        with pytest.raises(Forbidden):
            await _at(kiosks, paired, contract.KIOSK_HEARTBEAT, credential=credential)
    with pytest.raises(Forbidden):  # the kiosk's key, acting in another tenant than its own
        await _at(kiosks, paired, contract.KIOSK_HEARTBEAT, tenant=OTHER_TENANT)
    assert (await _at(kiosks, paired, contract.KIOSK_HEARTBEAT)).id == paired.kiosk.id


async def test_a_heartbeat_brings_a_kiosk_online_and_announces_only_a_return(kiosks):
    event = await kiosks.seed_event()
    paired = await _register(kiosks, event)
    before = datetime.now(UTC)
    beat = await _at(kiosks, paired, contract.KIOSK_HEARTBEAT)
    assert beat.is_online and beat.last_heartbeat >= before and beat.updated_at == paired.kiosk.updated_at
    assert await kiosks.events(contract.KIOSK_UPDATED) == []

    await _age(kiosks, paired.kiosk.id, minutes=5, online=False)
    back = await _at(kiosks, paired, contract.KIOSK_HEARTBEAT)
    assert back.is_online and back.last_heartbeat >= before and back.updated_at > paired.kiosk.updated_at
    (returned,) = await kiosks.events(contract.KIOSK_UPDATED)
    assert returned["kiosk"]["isOnline"] is True


async def test_a_visitor_is_looked_up_by_email_in_any_case_or_exact_code_in_the_kiosks_event_only(kiosks):
    event, other = await kiosks.seed_event(), await kiosks.seed_event()
    paired = await _register(kiosks, event)
    ada = await kiosks.register(event, first_name="Ada")
    elsewhere = await kiosks.register(other)

    by_email = await _at(kiosks, paired, contract.KIOSK_LOOKUP, {"email": f"  {ada.email.upper()} "})
    assert by_email == contract.ParticipantCard(
        id=ada.id, first_name="Ada", last_name="Lovelace", registration_code=ada.registration_code, status="APPROVED"
    )
    assert await _at(kiosks, paired, contract.KIOSK_LOOKUP, {"registrationCode": ada.registration_code}) == by_email
    for unknown in (
        {"registrationCode": ada.registration_code.lower()},
        {"registrationCode": elsewhere.registration_code},
        {"email": elsewhere.email},
    ):
        with pytest.raises(NotFound):
            await _at(kiosks, paired, contract.KIOSK_LOOKUP, unknown)
    for ambiguous, locs in (
        ({}, [["email"], ["registrationCode"]]),
        ({"email": ada.email, "registrationCode": ada.registration_code}, [["email"], ["registrationCode"]]),
    ):
        with pytest.raises(ValidationFailed) as refused:
            await _at(kiosks, paired, contract.KIOSK_LOOKUP, ambiguous)
        assert [e.loc for e in refused.value.errors] == locs


async def test_a_kiosk_checks_in_at_the_events_first_active_checkpoint_by_code_or_badge(kiosks):
    event = await kiosks.seed_event()
    paired = await _register(kiosks, event)
    ada, bob = await kiosks.register(event), await kiosks.register(event)
    with pytest.raises(BadRequest):
        await _at(kiosks, paired, contract.KIOSK_CHECK_IN, {"registrationCode": ada.registration_code})

    closed = await kiosks.call(contract.CREATE_CHECKPOINT, {"eventId": event.id, "name": "Closed", "isActive": False})
    first = await kiosks.call(contract.CREATE_CHECKPOINT, {"eventId": event.id, "name": "Main gate"})
    await kiosks.call(contract.CREATE_CHECKPOINT, {"eventId": event.id, "name": "Side gate"})
    assert closed.created_at < first.created_at

    by_code = await _at(kiosks, paired, contract.KIOSK_CHECK_IN, {"registrationCode": ada.registration_code})
    assert (by_code.result, by_code.participant_id) == (ScanResult.VALID, ada.id)
    badge = await kiosks.call(contract.GET_BADGE, {"participantId": bob.id})
    by_badge = await _at(kiosks, paired, contract.KIOSK_CHECK_IN, {"payload": badge.payload})
    assert (by_badge.result, by_badge.participant_id) == (ScanResult.VALID, bob.id)
    again = await _at(kiosks, paired, contract.KIOSK_CHECK_IN, {"payload": badge.payload})
    assert again.result is ScanResult.ALREADY_SCANNED

    log = tables.access_log.c
    rows = (await kiosks.execute(sa.select(log.checkpoint_id, log.scanned_by, log.device_id))).all()
    assert set(rows) == {(first.id, "kiosk", paired.kiosk.id)} and len(rows) == 3
    with pytest.raises(ValidationFailed) as both:
        await _at(kiosks, paired, contract.KIOSK_CHECK_IN, {"payload": badge.payload, "registrationCode": "X"})
    assert [e.loc for e in both.value.errors] == [["payload"], ["registrationCode"]]


async def test_a_kiosk_queues_participants_of_its_own_event(kiosks):
    event, other = await kiosks.seed_event(timezone="Africa/Addis_Ababa"), await kiosks.seed_event()
    paired = await _register(kiosks, event)
    ada, elsewhere = await kiosks.register(event), await kiosks.register(other)
    ticket = await _at(kiosks, paired, contract.KIOSK_JOIN_QUEUE, {"participantId": ada.id, "priority": 2})
    assert (ticket.event_id, ticket.tenant_id, ticket.ticket_number) == (event.id, TENANT, "A001")
    assert (ticket.status, ticket.priority) == (QueueStatus.WAITING, 2)
    with pytest.raises(Conflict):
        await _at(kiosks, paired, contract.KIOSK_JOIN_QUEUE, {"participantId": ada.id})
    with pytest.raises(NotFound):
        await _at(kiosks, paired, contract.KIOSK_JOIN_QUEUE, {"participantId": elsewhere.id})
    (joined,) = await kiosks.events(contract.QUEUE_TICKET_JOINED)
    assert joined["ticket"]["id"] == ticket.id


async def test_a_visitors_session_starts_in_the_kiosks_language_and_ends_once(kiosks):
    event, other = await kiosks.seed_event(), await kiosks.seed_event()
    paired, neighbour = await _register(kiosks, event, language="ar"), await _register(kiosks, event, "Desk")
    ada, elsewhere = await kiosks.register(event), await kiosks.register(other)

    started = await _at(kiosks, paired, contract.START_KIOSK_SESSION, {"sessionType": "status-lookup"})
    assert (started.device_id, started.language, started.participant_id) == (paired.kiosk.id, KioskLanguage.AR, None)
    assert started.ended_at is None and not started.timed_out
    known = await _at(
        kiosks,
        paired,
        contract.START_KIOSK_SESSION,
        {"sessionType": "queue-join", "participantId": ada.id, "language": "en"},
    )
    assert (known.participant_id, known.language) == (ada.id, KioskLanguage.EN)
    with pytest.raises(NotFound):
        await _at(
            kiosks, paired, contract.START_KIOSK_SESSION, {"sessionType": "check-in", "participantId": elsewhere.id}
        )

    with pytest.raises(NotFound):  # another kiosk's session
        await _at(kiosks, neighbour, contract.END_KIOSK_SESSION, {"id": started.id})
    ended = await _at(
        kiosks, paired, contract.END_KIOSK_SESSION, {"id": started.id, "timedOut": True, "metadata": {"steps": 3}}
    )
    assert ended.ended_at is not None and ended.ended_at >= ended.started_at
    assert (ended.timed_out, ended.metadata) == (True, {"steps": 3})
    with pytest.raises(Conflict):
        await _at(kiosks, paired, contract.END_KIOSK_SESSION, {"id": started.id})


async def test_the_stats_count_the_events_sessions_and_divide_the_ended_time_by_all_of_them(kiosks):
    event, other = await kiosks.seed_event(), await kiosks.seed_event()
    lobby, desk = await _register(kiosks, event, "Lobby"), await _register(kiosks, event, "Desk")
    elsewhere = await _register(kiosks, other, "Lobby")
    empty = await kiosks.call(contract.KIOSK_STATS, {"eventId": event.id})
    assert empty == contract.KioskStats(
        total_sessions=0, avg_duration_seconds=0, sessions_by_type={}, timed_out_count=0
    )

    start = datetime.now(UTC) - timedelta(minutes=10)
    rows = [
        (lobby, KioskSessionType.CHECK_IN, 60, False),
        (lobby, KioskSessionType.CHECK_IN, 120, True),
        (desk, KioskSessionType.QUEUE_JOIN, 30, False),
        (desk, KioskSessionType.INFO_BROWSE, None, False),  # still open
        (elsewhere, KioskSessionType.CHECK_IN, 999, True),
    ]
    await kiosks.execute(
        sa.insert(tables.kiosk_session),
        [
            {
                "id": new_id(),
                "tenant_id": TENANT,
                "device_id": paired.kiosk.id,
                "session_type": kind,
                "started_at": start,
                "ended_at": None if seconds is None else start + timedelta(seconds=seconds),
                "timed_out": timed_out,
            }
            for paired, kind, seconds, timed_out in rows
        ],
    )
    stats = await kiosks.call(contract.KIOSK_STATS, {"eventId": event.id})
    assert stats.total_sessions == 4
    assert stats.avg_duration_seconds == pytest.approx((60 + 120 + 30) / 4)
    assert stats.sessions_by_type == {"check-in": 2, "queue-join": 1, "info-browse": 1}
    assert stats.timed_out_count == 1
    with pytest.raises(NotFound):
        await kiosks.call(contract.KIOSK_STATS, {"eventId": new_id()})


# --- the stale sweep ------------------------------------------------------------------------------


async def test_the_sweep_takes_silent_kiosks_offline_once_even_with_replicas_sweeping_together(kiosks):
    event = await kiosks.seed_event()
    silent = [await _register(kiosks, event, f"Silent {n}") for n in range(6)]
    alive = await _register(kiosks, event, "Alive")
    already = await _register(kiosks, event, "Already offline")
    for paired in silent:
        await _age(kiosks, paired.kiosk.id, minutes=4)
    await _age(kiosks, alive.kiosk.id, minutes=2)
    await _age(kiosks, already.kiosk.id, minutes=30, online=False)

    replicas = [KioskSweep(kiosks.runtime.uow) for _ in range(3)]
    done = await asyncio.gather(*(r.sweep() for r in replicas))
    assert sum(d["offline"] for d in done) == 6
    offline = await kiosks.events(contract.KIOSK_OFFLINE)
    assert sorted(e["kiosk"]["id"] for e in offline) == sorted(p.kiosk.id for p in silent)
    assert all(e["kiosk"]["isOnline"] is False for e in offline)
    outbox = kiosks.runtime.spec.messaging.outbox
    envelopes = (
        await kiosks.execute(
            sa.select(outbox.c.envelope).where(outbox.c.envelope["type"].astext == contract.KIOSK_OFFLINE.type)
        )
    ).scalars()
    assert {(e["tenantid"], e["actorid"]) for e in envelopes} == {(TENANT, SYSTEM_USER_ID)}
    on = await kiosks.call(contract.LIST_KIOSKS, {"eventId": event.id, "isOnline": True})
    assert [k.id for k in on.data] == [alive.kiosk.id]

    assert (await replicas[0].sweep())["offline"] == 0  # nothing twice


async def test_the_sweep_ends_sessions_open_past_the_idle_time_out_as_timed_out(kiosks):
    event = await kiosks.seed_event()
    paired = await _register(kiosks, event)
    now = datetime.now(UTC)
    abandoned, fresh, finished = new_id(), new_id(), new_id()
    base = {
        "tenant_id": TENANT,
        "device_id": paired.kiosk.id,
        "session_type": KioskSessionType.INFO_BROWSE,
        "ended_at": None,
    }
    await kiosks.execute(
        sa.insert(tables.kiosk_session),
        [
            {**base, "id": abandoned, "started_at": now - timedelta(minutes=7)},
            {**base, "id": fresh, "started_at": now - timedelta(seconds=30)},
            {**base, "id": finished, "started_at": now - timedelta(minutes=9), "ended_at": now - timedelta(minutes=8)},
        ],
    )
    await asyncio.gather(KioskSweep(kiosks.runtime.uow).sweep(), KioskSweep(kiosks.runtime.uow).sweep())

    rows = {
        r.id: r
        for r in (
            await kiosks.execute(
                sa.select(session_row.id, session_row.started_at, session_row.ended_at, session_row.timed_out)
            )
        ).all()
    }
    assert rows[abandoned].timed_out and rows[abandoned].ended_at - rows[abandoned].started_at == timedelta(seconds=120)
    assert rows[fresh].ended_at is None and not rows[fresh].timed_out
    assert not rows[finished].timed_out and rows[finished].ended_at == now - timedelta(minutes=8)
    with pytest.raises(Conflict):
        await _at(kiosks, paired, contract.END_KIOSK_SESSION, {"id": abandoned})
