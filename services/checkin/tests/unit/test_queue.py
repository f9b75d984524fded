from datetime import UTC, date, datetime

import pytest
from checkin_svc.domain.queue import (
    LIVE,
    estimate_wait_minutes,
    may_cancel,
    may_complete,
    may_start_serving,
    ticket_day,
    ticket_number,
)

from plenary_contracts.enums import QueueStatus


def test_tickets_are_a_then_three_digits_and_grow_past_999():
    assert [ticket_number(n) for n in (1, 6, 42, 999, 1000)] == ["A001", "A006", "A042", "A999", "A1000"]
    with pytest.raises(ValueError):
        ticket_number(0)


def test_the_ticket_day_is_the_events_day_not_the_servers():
    late = datetime(2026, 6, 9, 23, 30, tzinfo=UTC)
    assert ticket_day(late, "UTC") == date(2026, 6, 9)
    assert ticket_day(late, "Africa/Addis_Ababa") == date(2026, 6, 10)
    assert ticket_day(late, "America/New_York") == date(2026, 6, 9)


def test_the_wait_is_the_tickets_ahead_times_the_average_service_time_and_five_minutes_without_one():
    assert estimate_wait_minutes(3, None) == 15
    assert estimate_wait_minutes(3, 2.5) == 8
    assert estimate_wait_minutes(0, 7.0) == 0


def test_only_a_called_ticket_starts_being_served():
    assert [s for s in QueueStatus if may_start_serving(s)] == [QueueStatus.CALLED]


def test_a_called_or_served_ticket_completes_and_any_live_one_cancels():
    assert {s for s in QueueStatus if may_complete(s)} == {QueueStatus.CALLED, QueueStatus.SERVING}
    assert {s for s in QueueStatus if may_cancel(s)} == set(LIVE) == {"WAITING", "CALLED", "SERVING"}
