from datetime import UTC, datetime, timedelta

from webhooks_svc.domain.outcomes import Outcome, settle

from plenary_contracts.enums import DeliveryStatus, WebhookErrorType

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
SCHEDULE = [5, 300]


def test_a_2xx_delivers():
    settled = settle(Outcome(204, 12), 0, 3, SCHEDULE, NOW)
    assert (settled.status, settled.attempts, settled.error_type) == (DeliveryStatus.DELIVERED, 1, None)


def test_an_http_error_is_retried_on_the_schedule():
    settled = settle(Outcome(500, 12), 0, 3, SCHEDULE, NOW)
    assert settled.status is DeliveryStatus.RETRYING
    assert settled.next_retry_at == NOW + timedelta(seconds=5)
    assert (settled.error_type, settled.error_message) == (WebhookErrorType.HTTP_ERROR, "HTTP 500")


def test_a_redirect_is_an_http_error():
    assert settle(Outcome(302, 3), 0, 3, SCHEDULE, NOW).error_type is WebhookErrorType.HTTP_ERROR


def test_no_answer_is_a_network_error_with_its_reason():
    settled = settle(Outcome(None, 10000, error="Request timed out after 10000ms"), 1, 3, SCHEDULE, NOW)
    assert settled.status is DeliveryStatus.RETRYING
    assert settled.next_retry_at == NOW + timedelta(seconds=300)
    assert (settled.error_type, settled.error_message) == (
        WebhookErrorType.NETWORK_ERROR,
        "Request timed out after 10000ms",
    )


def test_the_last_attempt_failing_makes_a_dead_letter():
    settled = settle(Outcome(503, 5), 2, 3, SCHEDULE, NOW)
    assert (settled.status, settled.attempts, settled.next_retry_at) == (DeliveryStatus.DEAD_LETTER, 3, None)


def test_a_410_dead_letters_and_asks_to_disable_the_subscription():
    settled = settle(Outcome(410, 5), 0, 8, SCHEDULE, NOW)
    assert settled.status is DeliveryStatus.DEAD_LETTER
    assert settled.gone


def test_retry_after_on_a_429_waits_as_asked():
    settled = settle(Outcome(429, 5, retry_after=timedelta(minutes=2)), 0, 3, SCHEDULE, NOW)
    assert settled.next_retry_at == NOW + timedelta(minutes=2)
