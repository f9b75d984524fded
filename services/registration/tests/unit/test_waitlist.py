from datetime import UTC, datetime, timedelta

from registration_svc.domain.waitlist import (
    Entry,
    average_wait_hours,
    may_confirm,
    offer_deadline,
    ordered,
    position,
    success_rate,
    to_promote,
)

from plenary_contracts.enums import WaitlistPriority as P
from plenary_contracts.enums import WaitlistStatus as S

T0 = datetime(2026, 11, 1, 9, tzinfo=UTC)


def entry(eid: str, priority: P = P.STANDARD, minutes: int = 0, status: S = S.ACTIVE, **kw) -> Entry:  # type: ignore[no-untyped-def]
    return Entry(eid, kw.pop("participant_type", "delegate"), priority, status, T0 + timedelta(minutes=minutes), **kw)


def test_vip_goes_before_high_before_standard_then_first_come_first_served():
    entries = [entry("s1", minutes=0), entry("h1", P.HIGH, 5), entry("v1", P.VIP, 9), entry("s0", minutes=-1)]
    assert [e.id for e in ordered(entries)] == ["v1", "h1", "s0", "s1"]


def test_position_counts_only_active_entries_of_the_same_type_ahead():
    entries = [
        entry("vip", P.VIP, 10),
        entry("early", minutes=0),
        entry("gone", minutes=-5, status=S.WITHDRAWN),
        entry("other-type", P.VIP, -9, participant_type="press"),
        entry("me", minutes=3),
    ]
    me = entries[-1]
    assert position(me, entries) == 3
    assert position(entries[2], entries) is None


def test_promotion_takes_the_first_active_entries_and_skips_live_offers():
    entries = [entry("a", P.VIP, has_live_offer=True), entry("b", P.HIGH), entry("c"), entry("d", status=S.EXPIRED)]
    assert [e.id for e in to_promote(entries, 2)] == ["b", "c"]
    assert to_promote(entries, 0) == []


def test_an_offer_lasts_48_hours_and_a_late_confirmation_is_refused():
    deadline = offer_deadline(T0)
    assert deadline == T0 + timedelta(hours=48)
    assert may_confirm(deadline, deadline) and not may_confirm(deadline, deadline + timedelta(seconds=1))
    assert not may_confirm(None, T0)


def test_stats_round_the_success_rate_and_average_the_wait():
    assert success_rate(2, 3) == 67 and success_rate(0, 0) == 0
    assert average_wait_hours([(T0, T0 + timedelta(hours=2)), (T0, T0 + timedelta(hours=5))]) == 3.5
    assert average_wait_hours([]) is None
