from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from checkin_svc.domain.badges import Badge, BadgeUnreadable, Unreadable
from checkin_svc.domain.scanning import (
    Checkpoint,
    Decision,
    Event,
    History,
    Movement,
    Participant,
    Reason,
    decide,
    start_of_day,
)

from plenary_contracts.enums import CheckpointDirection, ParticipantStatus, ReentryPolicy, ScanResult

NOW = datetime(2026, 6, 10, 7, 30, tzinfo=UTC)  # 09:30 in Geneva, 17:30 in Sydney
BADGE = Badge(tenant_id="t1", event_id="e1", participant_id="p1", issued_at=0, generation=1)
PARTICIPANT = Participant("p1", "t1", "e1", ParticipantStatus.APPROVED, "delegate", badge_generation=1)
EVENT = Event("e1", ends_at=NOW + timedelta(days=2), timezone="Europe/Zurich")
GATE = Checkpoint("c1", "t1", "e1", is_active=True, direction=CheckpointDirection.ENTRY)


def scan(**changes) -> Decision:  # type: ignore[no-untyped-def]
    given = {
        "badge": BADGE,
        "tenant_id": "t1",
        "participant": PARTICIPANT,
        "event": EVENT,
        "checkpoint": GATE,
        "history": History(),
        "now": NOW,
    }
    return decide(**{**given, **changes})


def test_a_first_scan_of_an_approved_participant_at_an_active_gate_is_valid_and_lets_them_in():
    assert scan() == Decision(ScanResult.VALID, Reason.ADMITTED, Movement.IN)


@pytest.mark.parametrize(
    ("changes", "result", "reason"),
    [
        ({"badge": BadgeUnreadable(Unreadable.BAD_SIGNATURE)}, ScanResult.INVALID, Reason.UNREADABLE),
        ({"tenant_id": "t2"}, ScanResult.INVALID, Reason.OTHER_TENANT),
        ({"participant": None}, ScanResult.INVALID, Reason.UNKNOWN_PARTICIPANT),
        ({"participant": replace(PARTICIPANT, status=ParticipantStatus.REJECTED)}, ScanResult.REVOKED,
         Reason.PARTICIPANT_REVOKED),
        ({"participant": replace(PARTICIPANT, status=ParticipantStatus.CANCELLED)}, ScanResult.REVOKED,
         Reason.PARTICIPANT_REVOKED),
        ({"participant": replace(PARTICIPANT, badge_generation=2)}, ScanResult.REVOKED, Reason.BADGE_REPLACED),
        ({"event": replace(EVENT, ends_at=NOW - timedelta(seconds=1))}, ScanResult.EXPIRED, Reason.EVENT_ENDED),
        ({"checkpoint": None}, ScanResult.INVALID, Reason.UNKNOWN_CHECKPOINT),
        ({"checkpoint": replace(GATE, tenant_id="t2")}, ScanResult.INVALID, Reason.UNKNOWN_CHECKPOINT),
        ({"checkpoint": replace(GATE, is_active=False)}, ScanResult.INVALID, Reason.CHECKPOINT_INACTIVE),
        ({"checkpoint": replace(GATE, event_id="e2")}, ScanResult.INVALID, Reason.OTHER_EVENT),
        ({"badge": replace(BADGE, event_id="e2")}, ScanResult.INVALID, Reason.OTHER_EVENT),
        ({"checkpoint": replace(GATE, allowed_type_ids=frozenset({"press"}))}, ScanResult.INVALID,
         Reason.ZONE_NOT_ALLOWED),
        ({"history": History(last_admitted_here=NOW - timedelta(hours=1))}, ScanResult.ALREADY_SCANNED,
         Reason.ALREADY_TODAY),
    ],
)  # fmt: skip
def test_each_refusal_answers_with_its_result_and_reason(changes, result: ScanResult, reason: Reason):  # type: ignore[no-untyped-def]
    decision = scan(**changes)
    assert (decision.result, decision.reason) == (result, reason)
    assert decision.movement is None and not decision.admitted


def test_the_first_failing_check_answers_in_the_documented_order():
    everything_wrong = {
        "participant": replace(PARTICIPANT, status=ParticipantStatus.REJECTED),
        "event": replace(EVENT, ends_at=NOW - timedelta(days=1)),
        "checkpoint": replace(GATE, is_active=False),
        "history": History(last_admitted_here=NOW),
    }
    assert scan(**everything_wrong).result is ScanResult.REVOKED
    del everything_wrong["participant"]
    assert scan(**everything_wrong).result is ScanResult.EXPIRED
    del everything_wrong["event"]
    assert scan(**everything_wrong).reason is Reason.CHECKPOINT_INACTIVE
    del everything_wrong["checkpoint"]
    assert scan(**everything_wrong).result is ScanResult.ALREADY_SCANNED
    assert scan(tenant_id="t2", participant=None).reason is Reason.OTHER_TENANT


def test_a_participant_of_another_tenant_under_the_same_id_is_unknown():
    assert scan(participant=replace(PARTICIPANT, tenant_id="t2")).reason is Reason.UNKNOWN_PARTICIPANT


def test_pending_and_in_progress_participants_are_not_revoked():
    for status in (ParticipantStatus.PENDING, ParticipantStatus.IN_PROGRESS, ParticipantStatus.PRINTED):
        assert scan(participant=replace(PARTICIPANT, status=status)).result is ScanResult.VALID


def test_a_newer_badge_than_the_read_model_knows_is_valid():
    assert scan(badge=replace(BADGE, generation=5)).result is ScanResult.VALID


def test_a_reason_overrules_the_reentry_policy_only():
    again = History(last_admitted_here=NOW - timedelta(minutes=5))
    assert scan(history=again, override_reason="lost wristband") == Decision(
        ScanResult.MANUAL_OVERRIDE, Reason.OVERRIDDEN, Movement.IN
    )
    assert scan(override_reason="vip").result is ScanResult.MANUAL_OVERRIDE
    expired = replace(EVENT, ends_at=NOW - timedelta(days=1))
    assert scan(event=expired, override_reason="please").result is ScanResult.EXPIRED
    rejected = replace(PARTICIPANT, status=ParticipantStatus.REJECTED)
    assert scan(participant=rejected, override_reason="please").result is ScanResult.REVOKED
    closed = replace(GATE, allowed_type_ids=frozenset())
    assert scan(checkpoint=closed, override_reason="please").reason is Reason.ZONE_NOT_ALLOWED


def test_once_per_day_counts_from_midnight_in_the_events_timezone_not_the_servers():
    # 23:30 UTC the day before is 01:30 in Zurich today: already scanned today there
    late_utc = History(last_admitted_here=datetime(2026, 6, 9, 23, 30, tzinfo=UTC))
    assert scan(history=late_utc).result is ScanResult.ALREADY_SCANNED
    # 21:30 UTC the day before is 23:30 in Zurich yesterday: a new day
    yesterday = History(last_admitted_here=datetime(2026, 6, 9, 21, 30, tzinfo=UTC))
    assert scan(history=yesterday).result is ScanResult.VALID
    # the same scan in Sydney (UTC+10) fell on today, 07:30 local
    sydney = replace(EVENT, timezone="Australia/Sydney")
    assert scan(history=yesterday, event=sydney).result is ScanResult.ALREADY_SCANNED


def test_midnight_is_found_on_a_day_whose_clock_changes():
    # 2026-03-29: Zurich moves from UTC+1 to UTC+2 at 02:00; midnight was still UTC+1
    assert start_of_day(datetime(2026, 3, 29, 12, tzinfo=UTC), "Europe/Zurich") == datetime(2026, 3, 28, 23, tzinfo=UTC)


@pytest.mark.parametrize(
    ("policy", "history", "result"),
    [
        (ReentryPolicy.ONCE_PER_DAY, History(last_admitted_here=NOW - timedelta(days=1)), ScanResult.VALID),
        (ReentryPolicy.ONCE_PER_DAY, History(last_admitted_here=NOW - timedelta(hours=2)), ScanResult.ALREADY_SCANNED),
        (ReentryPolicy.ONCE, History(last_admitted_here=NOW - timedelta(days=30)), ScanResult.ALREADY_SCANNED),
        (ReentryPolicy.ONCE, History(), ScanResult.VALID),
        (ReentryPolicy.UNLIMITED, History(last_admitted_here=NOW, inside=True), ScanResult.VALID),
        (ReentryPolicy.AFTER_EXIT, History(last_admitted_here=NOW, inside=True), ScanResult.ALREADY_SCANNED),
        (ReentryPolicy.AFTER_EXIT, History(last_admitted_here=NOW, inside=False), ScanResult.VALID),
    ],
)
def test_each_reentry_policy(policy: ReentryPolicy, history: History, result: ScanResult):
    assert scan(checkpoint=replace(GATE, reentry=policy), history=history).result is result


def test_an_entry_while_inside_raises_passback_whatever_the_policy_and_after_exit_refuses_it():
    inside = History(last_admitted_here=NOW - timedelta(days=1), inside=True)
    for policy in ReentryPolicy:
        decision = scan(checkpoint=replace(GATE, reentry=policy), history=inside)
        assert decision.passback
        assert decision.admitted is (policy not in (ReentryPolicy.AFTER_EXIT, ReentryPolicy.ONCE))
    assert not scan().passback


def test_an_exit_is_always_allowed_and_moves_out():
    exit_gate = replace(GATE, direction=CheckpointDirection.EXIT, reentry=ReentryPolicy.ONCE)
    decision = scan(checkpoint=exit_gate, history=History(last_admitted_here=NOW - timedelta(minutes=1)))
    assert decision == Decision(ScanResult.VALID, Reason.ADMITTED, Movement.OUT)


def test_a_bidirectional_checkpoint_lets_out_whoever_is_inside_and_in_whoever_is_not():
    door = replace(GATE, direction=CheckpointDirection.BIDIRECTIONAL, reentry=ReentryPolicy.AFTER_EXIT)
    assert scan(checkpoint=door).movement is Movement.IN
    assert scan(checkpoint=door, history=History(last_admitted_here=NOW, inside=True)).movement is Movement.OUT


def test_an_allowed_type_enters_its_zone():
    vip = replace(GATE, zone_id="vip", allowed_type_ids=frozenset({"delegate", "minister"}))
    assert scan(checkpoint=vip).result is ScanResult.VALID
    untyped = replace(PARTICIPANT, type_id=None)
    assert scan(checkpoint=vip, participant=untyped).reason is Reason.ZONE_NOT_ALLOWED


def test_a_checkpoint_that_refuses_passback_turns_back_an_entry_while_inside_whatever_the_policy():
    guarded = replace(GATE, reentry=ReentryPolicy.UNLIMITED, refuse_passback=True)
    inside = History(last_admitted_here=NOW - timedelta(days=1), inside=True)
    assert scan(checkpoint=guarded, history=inside) == Decision(
        ScanResult.ALREADY_SCANNED, Reason.STILL_INSIDE, passback=True
    )
    assert scan(checkpoint=guarded).result is ScanResult.VALID  # outside: nothing to refuse


def test_a_reason_overrules_a_passback_refusal_and_the_alert_stays():
    guarded = replace(GATE, reentry=ReentryPolicy.UNLIMITED, refuse_passback=True)
    decision = scan(checkpoint=guarded, history=History(inside=True), override_reason="left by the fire exit")
    assert decision == Decision(ScanResult.MANUAL_OVERRIDE, Reason.OVERRIDDEN, Movement.IN, passback=True)


def test_refusing_passback_never_stops_someone_leaving():
    door = replace(GATE, direction=CheckpointDirection.BIDIRECTIONAL, refuse_passback=True)
    assert scan(checkpoint=door, history=History(inside=True)).movement is Movement.OUT
