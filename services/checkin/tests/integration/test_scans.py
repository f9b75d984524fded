"""Scans at a checkpoint, over the bus as the gateway sends them: every outcome in the domain's order, each
logged once, announced, and answered once per nonce."""

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import base45
import pytest
import sqlalchemy as sa
from checkin_svc.adapters import tables

from plenary_contracts.access import Grant, encode_grants
from plenary_contracts.catalog import checkin as contract
from plenary_contracts.credentials import api_key_credential
from plenary_contracts.enums import ParticipantStatus, PermissionAccess, RoleScope, ScanResult, ScanType
from plenary_contracts.errors import Forbidden, NotFound, ValidationFailed
from plenary_kit.ids import new_id

from .conftest import OTHER_TENANT, CheckinService, SeededEvent, SeededParticipant, add_checkpoint

log = tables.access_log.c


async def _badge(checkin: CheckinService, person: SeededParticipant) -> str:
    return (await checkin.call(contract.GET_BADGE, {"participantId": person.id}, tenant=person.tenant_id)).payload


async def _scan(
    checkin: CheckinService, checkpoint_id: str, payload: str, *, ctx: dict[str, str] | None = None, **fields: Any
) -> contract.ScanOutcome:
    body = {"checkpointId": checkpoint_id, "payload": payload, **fields}
    return await checkin.call(contract.PROCESS_SCAN, body, **(ctx or {}))


async def _at(checkin: CheckinService, checkpoint_id: str, payload: str, when: datetime) -> ScanResult:
    outcome = await _scan(checkin, checkpoint_id, payload, scannedAt=when.isoformat())
    return outcome.result


async def _gate_and_person(checkin: CheckinService, **gate: Any) -> tuple[SeededEvent, SeededParticipant, str, str]:
    event = await checkin.seed_event()
    person = await checkin.register(event)
    return event, person, await add_checkpoint(checkin, event, **gate), await _badge(checkin, person)


async def test_a_registered_and_approved_participants_badge_is_valid_at_the_gate(checkin: CheckinService):
    event, person, gate, payload = await _gate_and_person(checkin)
    outcome = await _scan(checkin, gate, payload)
    assert (outcome.result, outcome.reason, outcome.movement, outcome.passback) == (
        ScanResult.VALID, "admitted", "in", False
    )  # fmt: skip
    assert (outcome.participant_id, outcome.participant_name, outcome.registration_code) == (
        person.id, "Ada Lovelace", person.registration_code
    )  # fmt: skip
    row = (await checkin.execute(sa.select(tables.access_log).where(log.id == outcome.access_log_id))).one()
    assert (row.checkpoint_id, row.event_id, row.participant_id, row.scan_type, row.scan_result) == (
        gate, event.id, person.id, ScanType.QR_SCAN, ScanResult.VALID
    )  # fmt: skip
    assert (row.qr_payload, row.scanned_by, row.device_id, row.movement) == (payload, "admin-user", None, "in")
    (completed,) = await checkin.events(contract.SCAN_COMPLETED)
    assert completed["scan"]["id"] == outcome.access_log_id and completed["scan"]["scanResult"] == "VALID"


async def test_a_second_scan_the_same_day_is_already_scanned(checkin: CheckinService):
    _, person, gate, payload = await _gate_and_person(checkin)
    assert (await _scan(checkin, gate, payload)).result is ScanResult.VALID
    again = await _scan(checkin, gate, payload)
    assert (again.result, again.reason, again.movement) == (ScanResult.ALREADY_SCANNED, "already_today", None)
    assert again.participant_id == person.id
    assert await checkin.count(tables.access_log) == 2


async def test_the_day_of_a_once_per_day_gate_is_the_events_day_in_its_timezone(checkin: CheckinService):
    event = await checkin.seed_event(timezone="Asia/Tokyo")  # UTC+9, no daylight saving
    person = await checkin.register(event)
    gate = await add_checkpoint(checkin, event)
    payload = await _badge(checkin, person)
    day = (datetime.now(UTC) - timedelta(days=2)).replace(hour=14, minute=30, second=0, microsecond=0)
    assert await _at(checkin, gate, payload, day) is ScanResult.VALID  # 23:30 in Tokyo
    # 15:30 UTC the same UTC day is 00:30 the next day in Tokyo: a new day there
    assert await _at(checkin, gate, payload, day + timedelta(hours=1)) is ScanResult.VALID
    assert await _at(checkin, gate, payload, day + timedelta(hours=2)) is ScanResult.ALREADY_SCANNED
    # and 23:30 UTC is 08:30 in Tokyo the day after: still that same day there
    assert await _at(checkin, gate, payload, day + timedelta(hours=9)) is ScanResult.ALREADY_SCANNED


async def test_a_badge_is_revoked_once_workflow_rejects_the_participant(checkin: CheckinService):
    _, person, gate, payload = await _gate_and_person(checkin, reentry="unlimited")
    assert (await _scan(checkin, gate, payload)).result is ScanResult.VALID
    await checkin.decide(person, ParticipantStatus.REJECTED, version=1)
    revoked = await _scan(checkin, gate, payload, overrideReason="the guest insists")
    assert (revoked.result, revoked.reason, revoked.participant_id) == (
        ScanResult.REVOKED, "participant_revoked", person.id
    )  # fmt: skip
    override = await checkin.scalar(sa.select(log.override_reason).where(log.id == revoked.access_log_id))
    assert override == "the guest insists"  # what staff typed is kept, though it overrules nothing here


async def test_a_badge_is_expired_once_the_event_ended(checkin: CheckinService):
    event = await checkin.seed_event(ends_in=timedelta(hours=-1))
    person = await checkin.register(event)
    gate = await add_checkpoint(checkin, event)
    expired = await _scan(checkin, gate, await _badge(checkin, person))
    assert (expired.result, expired.reason) == (ScanResult.EXPIRED, "event_ended")
    # a device's scan made before the end, uploaded late, was in time
    payload = await _badge(checkin, person)
    assert await _at(checkin, gate, payload, event.end_date - timedelta(minutes=5)) is ScanResult.VALID


def _forged(payload: str) -> str:
    raw = bytearray(base45.b45decode(payload))
    raw[-1] ^= 1  # one bit of the signature
    return base45.b45encode(bytes(raw)).decode()


async def test_a_forged_a_truncated_and_another_tenants_badge_are_invalid_with_one_log_row_each(
    checkin: CheckinService,
):
    _, _, gate, payload = await _gate_and_person(checkin)
    elsewhere = await checkin.register(await checkin.seed_event(tenant=OTHER_TENANT))
    theirs = await _badge(checkin, elsewhere)
    cases = {
        "forged": (_forged(payload), "unreadable"),
        "truncated": (payload[:-12], "unreadable"),
        "not a badge": ("hello", "unreadable"),
        "another tenant's": (theirs, "other_tenant"),
    }
    for name, (sent, reason) in cases.items():
        outcome = await _scan(checkin, gate, sent)
        assert (outcome.result, outcome.reason, outcome.participant_id) == (ScanResult.INVALID, reason, None), name
        row = (await checkin.execute(sa.select(tables.access_log).where(log.id == outcome.access_log_id))).one()
        assert (row.participant_id, row.checkpoint_id, row.qr_payload, row.movement) == (None, gate, sent, None)
    assert await checkin.count(tables.access_log) == len(cases)
    assert len(await checkin.events(contract.SCAN_COMPLETED)) == len(cases)
    assert (await _scan(checkin, gate, payload)).result is ScanResult.VALID  # the genuine one still is


async def test_a_badge_for_another_event_of_the_tenant_opens_none_of_its_gates(checkin: CheckinService):
    _, person, _, payload = await _gate_and_person(checkin)
    other_gate = await add_checkpoint(checkin, await checkin.seed_event())
    outcome = await _scan(checkin, other_gate, payload)
    assert (outcome.result, outcome.reason, outcome.participant_id) == (ScanResult.INVALID, "other_event", person.id)


async def test_a_closed_checkpoint_logs_the_scan_invalid(checkin: CheckinService):
    _, _, gate, payload = await _gate_and_person(checkin, is_active=False)
    outcome = await _scan(checkin, gate, payload)
    assert (outcome.result, outcome.reason) == (ScanResult.INVALID, "checkpoint_inactive")
    assert await checkin.count(tables.access_log, log.id == outcome.access_log_id) == 1


async def test_an_unknown_or_another_tenants_checkpoint_is_not_found_and_nothing_is_logged(checkin: CheckinService):
    _, _, gate, payload = await _gate_and_person(checkin)
    with pytest.raises(NotFound):
        await _scan(checkin, new_id(), payload)
    with pytest.raises(NotFound):
        await checkin.call(contract.PROCESS_SCAN, {"checkpointId": gate, "payload": payload}, tenant=OTHER_TENANT)
    assert await checkin.count(tables.access_log) == 0


async def test_a_scan_dated_in_the_future_is_refused(checkin: CheckinService):
    _, _, gate, payload = await _gate_and_person(checkin)
    ahead = (datetime.now(UTC) + timedelta(minutes=10)).isoformat()
    with pytest.raises(ValidationFailed) as refused:
        await _scan(checkin, gate, payload, scannedAt=ahead)
    assert refused.value.errors[0].loc == ["scannedAt"]
    slightly = (datetime.now(UTC) + timedelta(seconds=20)).isoformat()  # a device clock a little fast
    assert (await _scan(checkin, gate, payload, scannedAt=slightly)).result is ScanResult.VALID


async def test_a_caller_bound_to_another_event_may_not_scan_at_this_one(checkin: CheckinService):
    event, _, gate, payload = await _gate_and_person(checkin)

    def bound_to(event_id: str) -> dict[str, str]:
        return {"grants": encode_grants([Grant("check-in:scan", PermissionAccess.ANY, RoleScope.EVENT, event_id)])}

    with pytest.raises(Forbidden):
        await _scan(checkin, gate, payload, ctx=bound_to(new_id()))
    assert await checkin.count(tables.access_log) == 0
    assert (await _scan(checkin, gate, payload, ctx=bound_to(event.id))).result is ScanResult.VALID


async def test_a_paired_scanners_scans_are_logged_with_its_device_id_and_mark_it_seen(checkin: CheckinService):
    event, _, gate, payload = await _gate_and_person(checkin)
    device_id, key_id = new_id(), new_id()
    await checkin.execute(
        sa.insert(tables.device).values(
            id=device_id, tenant_id=event.tenant_id, event_id=event.id, name="Gate A", api_key_id=key_id,
            key_prefix="pk_x",
        )
    )  # fmt: skip
    seen = sa.select(tables.device.c.last_seen_at).where(tables.device.c.id == device_id)
    assert await checkin.scalar(seen) is None
    outcome = await _scan(checkin, gate, payload, ctx={"credential": api_key_credential(key_id)})
    assert await checkin.scalar(sa.select(log.device_id).where(log.id == outcome.access_log_id)) == device_id
    first_seen = await checkin.scalar(seen)
    assert first_seen is not None
    await _scan(checkin, gate, payload, ctx={"credential": api_key_credential(key_id)})
    assert await checkin.scalar(seen) == first_seen, "written at most every 30 seconds"
    other = await _scan(checkin, gate, "nonsense", ctx={"credential": api_key_credential(new_id())})  # not a device
    assert await checkin.scalar(sa.select(log.device_id).where(log.id == other.access_log_id)) is None


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        ("once-per-day", [ScanResult.VALID, ScanResult.ALREADY_SCANNED, ScanResult.VALID]),
        ("once", [ScanResult.VALID, ScanResult.ALREADY_SCANNED, ScanResult.ALREADY_SCANNED]),
        ("unlimited", [ScanResult.VALID, ScanResult.VALID, ScanResult.VALID]),
    ],
)
async def test_each_reentry_policy(checkin: CheckinService, policy: str, expected: list[ScanResult]):
    """Twice on one day, then once the next day."""
    _, _, gate, payload = await _gate_and_person(checkin, reentry=policy)
    day = (datetime.now(UTC) - timedelta(days=2)).replace(hour=9)
    moments = [day, day + timedelta(hours=3), day + timedelta(days=1)]
    assert [await _at(checkin, gate, payload, moment) for moment in moments] == expected


async def test_after_exit_lets_someone_in_again_only_once_they_went_out(checkin: CheckinService):
    event, _, entrance, payload = await _gate_and_person(checkin, reentry="after-exit")
    way_out = await add_checkpoint(checkin, event, direction="exit")
    assert (await _scan(checkin, entrance, payload)).result is ScanResult.VALID
    refused = await _scan(checkin, entrance, payload)
    assert (refused.result, refused.reason, refused.passback) == (ScanResult.ALREADY_SCANNED, "still_inside", True)
    left = await _scan(checkin, way_out, payload)
    assert (left.result, left.movement, left.message) == (ScanResult.VALID, "out", "Goodbye")
    assert (await _scan(checkin, entrance, payload)).result is ScanResult.VALID


async def test_a_bidirectional_door_lets_out_whoever_is_inside(checkin: CheckinService):
    _, _, door, payload = await _gate_and_person(checkin, direction="bidirectional")
    movements = [(await _scan(checkin, door, payload)).movement for _ in range(3)]
    # in, out, then in again the same day: the once-per-day policy counts ways in, and the exit was none
    assert movements == ["in", "out", None]


async def test_a_zone_admits_the_participant_types_it_allows(checkin: CheckinService):
    event = await checkin.seed_event()
    press, delegate = await checkin.register(event, type_id="type-press"), await checkin.register(event)
    lounge = await add_checkpoint(checkin, event, zone_id="press-lounge", allowed_type_ids=["type-press"])
    assert (await _scan(checkin, lounge, await _badge(checkin, press))).result is ScanResult.VALID
    refused = await _scan(checkin, lounge, await _badge(checkin, delegate), overrideReason="he asked nicely")
    assert (refused.result, refused.reason) == (ScanResult.INVALID, "zone_not_allowed")


async def test_an_entry_while_inside_raises_a_passback_alert(checkin: CheckinService):
    event, person, gate, payload = await _gate_and_person(checkin, reentry="unlimited")
    assert not (await _scan(checkin, gate, payload)).passback
    again = await _scan(checkin, gate, payload, nonce="passback-0001")
    assert (again.result, again.passback) == (ScanResult.VALID, True)
    assert await _scan(checkin, gate, payload, nonce="passback-0001") == again  # a replay says so too
    (alert,) = await checkin.events(contract.ALERT_CREATED)
    assert {k: alert[k] for k in ("kind", "eventId", "checkpointId", "participantId", "accessLogId", "refused")} == {
        "kind": "passback", "eventId": event.id, "checkpointId": gate, "participantId": person.id,
        "accessLogId": again.access_log_id, "refused": False,
    }  # fmt: skip


async def test_a_checkpoint_refusing_passback_turns_back_an_entry_while_inside(checkin: CheckinService):
    event, _, gate, payload = await _gate_and_person(checkin, reentry="unlimited", refuse_passback=True)
    assert (await _scan(checkin, gate, payload)).result is ScanResult.VALID
    refused = await _scan(checkin, gate, payload)
    assert (refused.result, refused.reason, refused.passback) == (ScanResult.ALREADY_SCANNED, "still_inside", True)
    assert [a["refused"] for a in await checkin.events(contract.ALERT_CREATED)] == [True]
    let_in = await _scan(checkin, gate, payload, overrideReason="left by the fire exit")
    assert (let_in.result, let_in.passback) == (ScanResult.MANUAL_OVERRIDE, True)
    # through another zone's gate the person is not inside: no passback there
    vip = await add_checkpoint(checkin, event, zone_id="vip", refuse_passback=True)
    assert (await _scan(checkin, vip, payload)).passback is False


async def test_a_reason_admits_past_the_reentry_policy_as_a_manual_override(checkin: CheckinService):
    _, _, gate, payload = await _gate_and_person(checkin)
    await _scan(checkin, gate, payload)
    override = await _scan(checkin, gate, payload, overrideReason="lost wristband")
    assert (override.result, override.reason) == (ScanResult.MANUAL_OVERRIDE, "overridden")
    row = (await checkin.execute(sa.select(tables.access_log).where(log.id == override.access_log_id))).one()
    assert (row.scan_result, row.override_reason) == (ScanResult.MANUAL_OVERRIDE, "lost wristband")


async def _enter(checkin: CheckinService, checkpoint_id: str, code: str, **fields: Any) -> contract.ScanOutcome:
    return await checkin.call(
        contract.MANUAL_ENTRY, {"checkpointId": checkpoint_id, "registrationCode": code, **fields}
    )


async def test_manual_entry_by_registration_code_goes_through_the_same_checks(checkin: CheckinService):
    event, person, gate, _ = await _gate_and_person(checkin)
    admitted = await _enter(checkin, gate, person.registration_code)
    assert (admitted.result, admitted.participant_id, admitted.movement) == (ScanResult.VALID, person.id, "in")
    row = (await checkin.execute(sa.select(tables.access_log).where(log.id == admitted.access_log_id))).one()
    assert (row.scan_type, row.qr_payload, row.participant_id) == (
        ScanType.MANUAL_ENTRY, person.registration_code, person.id
    )  # fmt: skip
    assert (await _enter(checkin, gate, person.registration_code)).result is ScanResult.ALREADY_SCANNED
    closed = await add_checkpoint(checkin, event, is_active=False)
    assert (await _enter(checkin, closed, person.registration_code)).reason == "checkpoint_inactive"
    await checkin.decide(person, ParticipantStatus.CANCELLED, version=1)
    assert (await _enter(checkin, gate, person.registration_code)).result is ScanResult.REVOKED


async def test_manual_entry_of_an_unknown_code_is_logged_invalid(checkin: CheckinService):
    _, person, gate, _ = await _gate_and_person(checkin)
    unknown = await _enter(checkin, gate, "REG-NOBODY")
    assert (unknown.result, unknown.message, unknown.participant_id) == (
        ScanResult.INVALID, "Registration code not found", None
    )  # fmt: skip
    row = (await checkin.execute(sa.select(tables.access_log).where(log.id == unknown.access_log_id))).one()
    assert (row.scan_type, row.qr_payload, row.participant_id) == (ScanType.MANUAL_ENTRY, "REG-NOBODY", None)
    # a code of another event of the tenant is not found at this event's gate
    elsewhere = await checkin.register(await checkin.seed_event())
    assert (await _enter(checkin, gate, elsewhere.registration_code)).result is ScanResult.INVALID
    with pytest.raises(NotFound):
        await _enter(checkin, new_id(), person.registration_code)


async def test_a_repeated_nonce_gets_the_first_answer_and_writes_nothing(checkin: CheckinService):
    _, person, gate, payload = await _gate_and_person(checkin)
    first = await _scan(checkin, gate, payload, nonce="scan-0001")
    again = await _scan(checkin, gate, payload, nonce="scan-0001")
    assert again == first and again.result is ScanResult.VALID and again.nonce == "scan-0001"
    assert await checkin.count(tables.access_log) == 1
    assert len(await checkin.events(contract.SCAN_COMPLETED)) == 1
    # the nonce is the tenant's: another tenant's device may use the same
    elsewhere = await checkin.register(await checkin.seed_event(tenant=OTHER_TENANT))
    gate_b = await add_checkpoint(checkin, await checkin.seed_event(tenant=OTHER_TENANT))
    theirs = await checkin.call(
        contract.PROCESS_SCAN,
        {"checkpointId": gate_b, "payload": await _badge(checkin, elsewhere), "nonce": "scan-0001"},
        tenant=OTHER_TENANT,
    )
    assert theirs.access_log_id != first.access_log_id
    # a manual entry's nonce too
    typed = await _enter(checkin, gate, person.registration_code, nonce="typed-0001")
    again = await _enter(checkin, gate, person.registration_code, nonce="typed-0001")
    assert typed.result is ScanResult.ALREADY_SCANNED and typed.passback  # the person is inside already
    # the log row keeps no passback flag: a replay says it only for a refusal on that ground (still_inside)
    assert again.model_dump(exclude={"passback"}) == typed.model_dump(exclude={"passback"})
    assert await checkin.count(tables.access_log) == 3


async def test_two_requests_with_one_nonce_at_once_are_answered_alike_with_one_row(checkin: CheckinService):
    _, _, gate, payload = await _gate_and_person(checkin)
    outcomes = await asyncio.gather(*(_scan(checkin, gate, payload, nonce="twice-at-once") for _ in range(4)))
    assert len({o.access_log_id for o in outcomes}) == 1 and {o.result for o in outcomes} == {ScanResult.VALID}
    assert await checkin.count(tables.access_log) == 1


async def test_two_gates_reading_one_badge_at_once_admit_it_once(checkin: CheckinService):
    _, _, gate, payload = await _gate_and_person(checkin)
    results = await asyncio.gather(*(_scan(checkin, gate, payload) for _ in range(4)))
    assert Counter(r.result for r in results) == {ScanResult.VALID: 1, ScanResult.ALREADY_SCANNED: 3}
