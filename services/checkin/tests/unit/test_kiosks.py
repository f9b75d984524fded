from datetime import UTC, datetime, timedelta

from checkin_svc.domain.kiosks import (
    average_duration_seconds,
    exactly_one,
    idle_cutoff,
    offline_cutoff,
    timed_out_at,
)

NOW = datetime(2026, 6, 9, 12, 0, tzinfo=UTC)


def test_a_kiosk_silent_for_three_minutes_is_offline():
    assert offline_cutoff(NOW) == NOW - timedelta(minutes=3)


def test_a_session_open_for_two_minutes_has_timed_out_and_ends_when_the_kiosk_would_have_reset():
    assert idle_cutoff(NOW) == NOW - timedelta(seconds=120)
    assert timed_out_at(NOW) == NOW + timedelta(seconds=120)


def test_a_visitor_gives_exactly_one_way_to_find_them():
    assert exactly_one({"email": "a@b.org", "registrationCode": None}) == []
    assert exactly_one({"email": None, "registrationCode": "REG-1"}) == []
    neither = exactly_one({"email": None, "registrationCode": None})
    assert [loc for loc, _ in neither] == [("email",), ("registrationCode",)]
    both = exactly_one({"payload": "x", "registrationCode": "REG-1"})
    assert [loc for loc, _ in both] == [("payload",), ("registrationCode",)]
    assert all(message == "give exactly one of payload or registrationCode" for _, message in both)


def test_the_mean_duration_divides_the_ended_sessions_time_by_every_session():
    assert average_duration_seconds(300.0, 4) == 75.0  # three ended (300 s in all) and one still open
    assert average_duration_seconds(0.0, 0) == 0.0
