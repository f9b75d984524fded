from datetime import UTC, datetime, timedelta

from webhooks_svc.domain.breaker import Breaker, Gate, failed, succeeded

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def fail_times(breaker: Breaker, n: int, at: datetime = NOW):
    change = None
    for _ in range(n):
        change = failed(breaker, at)
        breaker = change.breaker
    return change


def test_nine_consecutive_failures_keep_the_breaker_closed():
    change = fail_times(Breaker(), 9)
    assert change.breaker.gate(NOW) is Gate.CLOSED
    assert change.breaker.consecutive_failures == 9
    assert not change.opened


def test_the_tenth_consecutive_failure_opens_it_for_an_hour_as_the_first_trip():
    change = fail_times(Breaker(), 10)
    assert change.opened and not change.suspend
    assert change.breaker.reset_at == NOW + timedelta(hours=1)
    assert change.breaker.trips == 1
    assert change.breaker.gate(NOW + timedelta(minutes=59)) is Gate.OPEN
    assert change.breaker.gate(NOW + timedelta(hours=1)) is Gate.PROBE


def test_a_success_in_between_starts_the_count_again():
    breaker = fail_times(Breaker(), 9).breaker
    breaker = succeeded(breaker).breaker
    assert fail_times(breaker, 9).breaker.gate(NOW) is Gate.CLOSED


def test_a_failed_probe_keeps_it_open_two_hours_more_and_counts_a_trip():
    opened = fail_times(Breaker(), 10).breaker
    probe_time = NOW + timedelta(hours=1, minutes=1)
    change = failed(opened, probe_time)
    assert change.opened and not change.suspend
    assert change.breaker.reset_at == probe_time + timedelta(hours=2)
    assert change.breaker.trips == 2


def test_the_third_trip_suspends():
    opened = fail_times(Breaker(), 10).breaker
    second = failed(opened, NOW + timedelta(hours=1)).breaker
    third = failed(second, NOW + timedelta(hours=3))
    assert third.suspend
    assert third.breaker.trips == 3


def test_a_successful_probe_closes_it_and_clears_failures_and_trips():
    opened = failed(fail_times(Breaker(), 10).breaker, NOW + timedelta(hours=1)).breaker
    closed = succeeded(opened).breaker
    assert closed == Breaker()
    assert closed.gate(NOW) is Gate.CLOSED


def test_a_failure_of_an_attempt_already_in_flight_while_open_extends_nothing():
    opened = fail_times(Breaker(), 10).breaker
    change = failed(opened, NOW + timedelta(minutes=1))
    assert not change.opened
    assert change.breaker.reset_at == opened.reset_at
    assert change.breaker.trips == 1
