"""The projection rules: a participant's one count moves between buckets whatever order the owners' events
arrive in; deletion and merging are final; a deleted event's figures go; additive counts per step and hour."""

from datetime import UTC, date, datetime, timedelta

from analytics_svc.domain.facts import (
    EventSeen,
    ParticipantGone,
    ParticipantSeen,
    Scanned,
    StatusDecided,
    StepActed,
    Used,
)
from analytics_svc.domain.participants import Bucket
from analytics_svc.domain.projection import fold, participant_ids

T0 = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def seen(status: str = "PENDING", at: datetime = T0, pid: str = "p1", event: str = "e1") -> ParticipantSeen:
    return ParticipantSeen("t", pid, event, "type", status, T0, at)


def decided(status: str, at: datetime, version: int, pid: str = "p1") -> StatusDecided:
    return StatusDecided("t", pid, "e1", status, version, at)


def bucket(status: str) -> Bucket:
    return Bucket("t", "e1", "type", status, date(2026, 12, 1))


def test_a_registration_counts_once_in_its_status_and_registration_day():
    changes = fold([seen()], {})
    assert changes.counts == {bucket("PENDING"): (1, 0.0)}


def test_a_status_change_moves_the_count_from_one_bucket_to_another():
    first = fold([seen()], {})
    later = fold([decided("APPROVED", T0 + timedelta(minutes=30), 2)], first.states)
    assert later.counts == {bucket("PENDING"): (-1, 0.0), bucket("APPROVED"): (1, 1800.0)}


def test_an_older_status_arriving_late_never_takes_the_participant_back():
    held = fold([seen(), decided("APPROVED", T0 + timedelta(minutes=5), 3)], {}).states
    late = fold([decided("IN_PROGRESS", T0 + timedelta(minutes=1), 2)], held)
    assert late.counts == {}
    assert late.states["p1"].status == "APPROVED"


def test_a_status_seen_before_the_registration_counts_once_the_registration_comes():
    early = fold([decided("APPROVED", T0 + timedelta(minutes=5), 2)], {})
    assert early.counts == {}
    registered = fold([seen(at=T0)], early.states)
    assert registered.counts == {bucket("APPROVED"): (1, 300.0)}


def test_a_registration_update_newer_than_workflow_s_status_wins():
    held = fold([seen(), decided("APPROVED", T0 + timedelta(minutes=5), 2)], {}).states
    cancelled = fold([seen("CANCELLED", T0 + timedelta(minutes=6))], held)
    assert cancelled.counts == {bucket("APPROVED"): (-1, -300.0), bucket("CANCELLED"): (1, 0.0)}


def test_deleted_and_merged_participants_count_nowhere_for_good():
    held = fold([seen(), seen(pid="p2")], {}).states
    gone = fold([ParticipantGone("t", "p1", "e1", T0), ParticipantGone("t", "p2", "e1", T0)], held)
    assert gone.counts == {bucket("PENDING"): (-2, 0.0)}
    again = fold([seen("APPROVED", T0 + timedelta(hours=1))], gone.states)
    assert again.counts == {}


def test_a_deletion_before_the_registration_keeps_it_from_ever_counting():
    tombstone = fold([ParticipantGone("t", "p1", "e1", T0)], {})
    assert fold([seen()], tombstone.states).counts == {}


def test_one_batch_nets_a_participant_s_changes_into_one_move():
    changes = fold([seen(), decided("IN_PROGRESS", T0 + timedelta(minutes=1), 1)], {})
    assert changes.counts == {bucket("IN_PROGRESS"): (1, 0.0)}


def test_a_deleted_event_s_participants_and_figures_count_nowhere():
    held = fold([seen()], {}).states
    deleted = fold([EventSeen("t", "e1", "", True, T0)], held)
    assert deleted.deleted_events() == {"e1"}
    late = fold([seen(pid="p9"), Scanned("t", "e1", "c", "in", "VALID", T0)], {}, deleted_events={"e1"})
    assert late.counts == {} and late.checkpoints == {}


def test_steps_scans_and_usage_add_up_per_hour():
    facts = [
        StepActed("t", "p1", "e1", "s1", "Review", "APPROVE", T0),
        StepActed("t", "p2", "e1", "s1", "Review", "APPROVE", T0 + timedelta(minutes=10)),
        Scanned("t", "e1", "gate", "in", "VALID", T0),
        Used("t", "e1", "broadcast.delivered", 7, T0),
        Used("t", "e1", "broadcast.delivered", 3, T0),
    ]
    changes = fold(facts, {})
    hour = datetime(2026, 12, 1, 9, tzinfo=UTC)
    assert changes.steps == {("t", "e1", "", "s1", hour, "APPROVE"): 2}
    assert changes.checkpoints == {("t", "e1", "gate", hour, "in", "VALID"): 1}
    assert changes.usage == {("t", "e1", "broadcast.delivered", hour): 10}
    assert participant_ids(facts) == {"p1", "p2"}
