"""An event's dates, timezone and versions."""

from datetime import UTC, datetime, timedelta

import pytest
from events_svc.domain.schedule import dates_problem, next_version, timezone_problem

from plenary_contracts.access import etag_of


@pytest.mark.parametrize("name", ["UTC", "Europe/Paris", "Africa/Nairobi", "America/Argentina/Buenos_Aires"])
def test_iana_timezones_are_accepted(name):
    assert timezone_problem(name) is None


@pytest.mark.parametrize("name", ["Mars/Olympus", "CEST", "+03:00", "europe/paris", "localtime", "../etc/passwd", ""])
def test_names_that_are_no_iana_zone_are_refused(name):
    assert "not an IANA timezone" in (timezone_problem(name) or "")


def test_an_event_may_end_when_it_starts_but_not_before():
    start = datetime(2026, 5, 1, 9, tzinfo=UTC)
    assert dates_problem(start, start) is None
    assert dates_problem(start, start - timedelta(seconds=1)) == "endDate must not be before startDate"


def test_a_new_version_moves_the_etag_even_within_one_millisecond():
    previous = datetime(2026, 5, 1, 9, 0, 0, 999_900, tzinfo=UTC)
    same_instant = previous + timedelta(microseconds=50)
    assert etag_of(next_version(previous, same_instant)) != etag_of(previous)
    later = previous + timedelta(seconds=3)
    assert next_version(previous, later) == later
