from datetime import UTC, datetime, timedelta

from registration_svc.domain.waitlist import (
    Entry,
    Offer,
    Refusal,
    answer_refusal,
    applicant_key,
    average_wait_hours,
    may_confirm,
    offer_deadline,
    ordered,
    position,
    reminder_due_at,
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


def test_a_person_is_known_by_their_email_else_by_their_full_name_whatever_the_case_or_padding():
    assert applicant_key("  Ada@Example.ORG ", "Ada", "Lovelace") == "ada@example.org"
    assert applicant_key(None, " Ada ", "LOVELACE  King") == "ada lovelace king"
    assert applicant_key("   ", "Ada", "Lovelace") == "ada lovelace"


def test_the_reminder_falls_at_half_of_the_offers_time():
    assert reminder_due_at(Offer(T0, offer_deadline(T0))) == T0 + timedelta(hours=24)


def test_only_a_live_offer_within_its_deadline_may_be_answered():
    live = Offer(T0, offer_deadline(T0))
    within, after = T0 + timedelta(hours=1), T0 + timedelta(hours=49)
    assert answer_refusal(S.ACTIVE, live, within) is None
    assert answer_refusal(S.ACTIVE, live, after) is Refusal.LATE
    assert answer_refusal(S.ACTIVE, None, within) is Refusal.NO_OFFER
    assert answer_refusal(S.PROMOTED, Offer(T0, live.deadline, confirmed_at=within), within) is Refusal.CONFIRMED
    assert answer_refusal(S.WITHDRAWN, Offer(T0, live.deadline, declined_at=within), within) is Refusal.DECLINED
    assert answer_refusal(S.EXPIRED, Offer(T0, live.deadline, expired_at=after), after) is Refusal.EXPIRED
    assert answer_refusal(S.CANCELLED, live, within) is Refusal.NO_OFFER
