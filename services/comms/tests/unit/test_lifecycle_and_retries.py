from datetime import UTC, datetime, timedelta

import pytest
from comms_svc.domain import lifecycle
from comms_svc.domain.channels import SMS_LIMIT, body_problem, sms_problem
from comms_svc.domain.lifecycle import RefusalCode
from comms_svc.domain.retries import after_failure

from plenary_contracts.enums import BroadcastStatus, MessageChannel, MessageStatus

S = BroadcastStatus
NOW = datetime(2027, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("status", list(S))
def test_only_a_draft_is_edited_or_scheduled(status):
    assert (lifecycle.edit(status) is None) is (status is S.DRAFT)
    assert (lifecycle.schedule(status) is None) is (status is S.DRAFT)


@pytest.mark.parametrize("status", list(S))
def test_send_from_draft_or_scheduled_only(status):
    refusal = lifecycle.send(status, "event")
    assert (refusal is None) is (status in (S.DRAFT, S.SCHEDULED))
    if refusal is not None:
        assert refusal.code is RefusalCode.INVALID_STATUS


def test_sending_needs_an_event():
    refusal = lifecycle.send(S.DRAFT, None)
    assert refusal is not None and refusal.code is RefusalCode.NO_EVENT


@pytest.mark.parametrize("status", list(S))
def test_cancel_from_scheduled_or_sending_only(status):
    assert (lifecycle.cancel(status) is None) is (status in (S.SCHEDULED, S.SENDING))


def test_an_emergency_has_the_highest_priority():
    assert lifecycle.priority_of(True, 7) == 1
    assert lifecycle.priority_of(False, 7) == 7


def test_retries_at_one_then_five_minutes_then_fail():
    first = after_failure(0, NOW)
    assert (first.status, first.retry_count, first.next_retry_at) == (
        MessageStatus.QUEUED,
        1,
        NOW + timedelta(minutes=1),
    )
    second = after_failure(1, NOW)
    assert (second.status, second.retry_count, second.next_retry_at) == (
        MessageStatus.QUEUED,
        2,
        NOW + timedelta(minutes=5),
    )
    third = after_failure(2, NOW)
    assert (third.status, third.retry_count, third.next_retry_at) == (MessageStatus.FAILED, 2, None)


def test_a_permanent_failure_is_not_retried():
    assert after_failure(0, NOW, permanent=True).status is MessageStatus.FAILED


def test_an_sms_holds_160_characters():
    assert sms_problem("x" * SMS_LIMIT) is None
    assert sms_problem("x" * (SMS_LIMIT + 1)) == "an SMS holds at most 160 characters; this one has 161"
    assert body_problem(MessageChannel.EMAIL, "x" * 500) is None
    assert body_problem(MessageChannel.SMS, "x" * 161) is not None


def test_an_unsubscribe_token_names_its_participant_and_cannot_be_forged():
    from comms_svc.domain.unsubscribe import token_for, verify, with_link

    token = token_for("s3cret", "tenant-a", "p1")
    assert verify("s3cret", token) == ("tenant-a", "p1")
    assert verify("other", token) is None
    tenant, _, signature = token.split(".")
    assert verify("s3cret", f"{tenant}.p2.{signature}") is None
    assert verify("s3cret", "garbage") is None and verify("s3cret", "a..b") is None
    assert with_link("<p>Hi</p>", "https://x/u?t=1", html=True).endswith(
        '<a href="https://x/u?t=1">Unsubscribe</a> from these messages.</p>'
    )
    assert with_link("Hi", "https://x/u", html=False) == "Hi\n\n--\nUnsubscribe from these messages: https://x/u"


def test_a_provider_report_moves_sent_to_delivered_or_bounced_and_nothing_else():
    from comms_svc.domain.reports import CounterChange, genuine, move, signature

    S = MessageStatus
    assert move(S.SENT, S.DELIVERED) == CounterChange(delivered=1)
    assert move(S.SENT, S.BOUNCED) == CounterChange(bounced=1)
    assert move(S.DELIVERED, S.BOUNCED) == CounterChange(delivered=-1, bounced=1)
    for current in (S.QUEUED, S.SENDING, S.FAILED, S.BOUNCED):
        assert move(current, S.DELIVERED) is None
    assert move(S.DELIVERED, S.DELIVERED) is None and move(S.BOUNCED, S.BOUNCED) is None
    signed = signature("k", "d1", "DELIVERED", 100)
    assert genuine("k", "d1", "DELIVERED", 100, signed)
    assert not genuine("k", "d1", "BOUNCED", 100, signed) and not genuine("other", "d1", "DELIVERED", 100, signed)
