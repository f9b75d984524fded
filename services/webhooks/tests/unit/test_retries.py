from datetime import UTC, datetime, timedelta

from webhooks_svc.domain.retries import DEFAULT_SCHEDULE_SECONDS, max_attempts, next_retry, retry_after

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def test_the_default_schedule_is_eight_attempts_over_about_27_hours():
    assert max_attempts(DEFAULT_SCHEDULE_SECONDS) == 8
    waits = [next_retry(n, DEFAULT_SCHEDULE_SECONDS, NOW) - NOW for n in range(1, 8)]
    assert waits == [
        timedelta(seconds=5),
        timedelta(minutes=5),
        timedelta(minutes=30),
        timedelta(hours=2),
        timedelta(hours=5),
        timedelta(hours=10),
        timedelta(hours=10),
    ]
    assert sum(waits, timedelta()) > timedelta(hours=27)


def test_no_retry_is_left_after_the_last_step():
    assert next_retry(len(DEFAULT_SCHEDULE_SECONDS) + 1, DEFAULT_SCHEDULE_SECONDS, NOW) is None
    assert next_retry(1, [], NOW) is None


def test_a_custom_schedule_is_followed():
    assert next_retry(2, [1, 2, 3], NOW) == NOW + timedelta(seconds=2)


def test_retry_after_is_honoured_when_longer_than_the_schedule_only():
    assert next_retry(1, [5], NOW, asked=timedelta(seconds=120)) == NOW + timedelta(seconds=120)
    assert next_retry(1, [300], NOW, asked=timedelta(seconds=120)) == NOW + timedelta(seconds=300)


def test_retry_after_reads_seconds_and_http_dates_and_is_capped_at_a_day():
    assert retry_after("120", NOW) == timedelta(seconds=120)
    assert retry_after("Fri, 01 May 2026 12:10:00 GMT", NOW) == timedelta(minutes=10)
    assert retry_after("Fri, 01 May 2026 11:00:00 GMT", NOW) == timedelta(0)
    assert retry_after("9999999", NOW) == timedelta(days=1)
    assert retry_after("soon", NOW) is None
    assert retry_after(None, NOW) is None
