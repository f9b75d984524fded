from datetime import UTC, datetime, timedelta

from delegation_svc.domain import invites as rules
from delegation_svc.domain.invites import Answer, InviteState
from delegation_svc.domain.quotas import Usage
from delegation_svc.domain.tokens import new_token, token_hash

from plenary_contracts.enums import DelegationInviteStatus as Status

NOW = datetime(2026, 12, 1, tzinfo=UTC)
LATER = NOW + timedelta(days=3)
ROOM, FULL = Usage(1, 3), Usage(3, 3)


def pending(expires_at: datetime = LATER) -> InviteState:
    return InviteState(Status.PENDING, expires_at)


def test_a_pending_invite_with_room_is_accepted():
    assert rules.answer_to_accept(pending(), ROOM, NOW) is Answer.ACCEPT


def test_an_accepted_invite_is_answered_again_before_anything_else():
    # even past its expiry and with the quota full: acceptance is idempotent
    assert rules.answer_to_accept(InviteState(Status.ACCEPTED, NOW - timedelta(days=1)), FULL, NOW) is (
        Answer.ALREADY_ACCEPTED
    )


def test_a_cancelled_invite_is_refused_before_its_expiry_or_the_quota_is_looked_at():
    assert rules.answer_to_accept(InviteState(Status.CANCELLED, NOW - timedelta(days=1)), FULL, NOW) is Answer.CANCELLED


def test_an_expired_invite_is_refused_before_a_full_quota():
    assert rules.answer_to_accept(pending(NOW - timedelta(seconds=1)), FULL, NOW) is Answer.EXPIRED
    assert rules.answer_to_accept(InviteState(Status.EXPIRED, LATER), ROOM, NOW) is Answer.EXPIRED


def test_an_invite_expires_at_its_expiry_instant():
    assert rules.is_overdue(pending(NOW), NOW)
    assert not rules.is_overdue(pending(LATER), NOW)
    assert not rules.is_overdue(InviteState(Status.ACCEPTED, NOW - timedelta(days=1)), NOW)


def test_a_full_quota_refuses_a_live_pending_invite():
    assert rules.answer_to_accept(pending(), FULL, NOW) is Answer.FULL


def test_no_invite_is_sent_against_a_full_quota_but_pending_ones_hold_no_place():
    assert rules.send_refusal(FULL) is not None
    assert rules.send_refusal(ROOM) is None


def test_only_a_pending_invite_is_resent():
    assert rules.resend_refusal(Status.PENDING) is None
    for status in (Status.ACCEPTED, Status.EXPIRED, Status.CANCELLED):
        assert rules.resend_refusal(status) is not None


def test_cancelling_twice_is_refused():
    assert rules.cancel_refusal(Status.CANCELLED) is not None
    for status in (Status.PENDING, Status.ACCEPTED, Status.EXPIRED):
        assert rules.cancel_refusal(status) is None


def test_an_accepted_invite_holds_its_place_until_it_is_given_back():
    assert rules.holds_place(Status.ACCEPTED, None)
    assert not rules.holds_place(Status.ACCEPTED, NOW)
    assert not rules.holds_place(Status.PENDING, None)


def test_only_an_accepted_invite_holding_its_place_registers_a_delegate():
    assert rules.registration_refusal(Status.ACCEPTED, None) is None
    assert rules.registration_refusal(Status.ACCEPTED, NOW) is not None
    for status in (Status.PENDING, Status.EXPIRED, Status.CANCELLED):
        assert rules.registration_refusal(status, None) is not None


def test_only_a_live_pending_invite_waits_for_a_place():
    assert rules.wait_refusal(pending(), NOW) is None
    assert rules.wait_refusal(pending(NOW), NOW) == Answer.EXPIRED.value
    assert rules.wait_refusal(InviteState(Status.ACCEPTED, LATER), NOW) is not None


def test_the_default_expiry_is_days_after_now():
    assert rules.expiry(NOW, 14) == NOW + timedelta(days=14)


def test_a_token_is_32_random_bytes_in_hex_and_only_its_sha256_is_kept():
    token = new_token()
    assert len(token) == 64 and int(token, 16) >= 0
    assert new_token() != token
    assert token_hash(token) != token and len(token_hash(token)) == 64
    assert token_hash(token) == token_hash(token)
