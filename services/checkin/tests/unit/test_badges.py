import base45
import pytest
import segno
from checkin_svc.domain.badges import Badge, BadgeUnreadable, Unreadable, issue, read, verify
from nacl.signing import SigningKey

TENANT = "tnt0k8q2c3v4b5n6m7a8s9d0f"
BADGE = Badge(
    tenant_id=TENANT,
    event_id="evt0k8q2c3v4b5n6m7a8s9d0f",
    participant_id="prt0k8q2c3v4b5n6m7a8s9d0f",
    issued_at=1_796_000_000,
    generation=2,
)
KEY, OTHER_KEY = SigningKey.generate(), SigningKey.generate()
KID, OTHER_KID = b"\x00\x01\x02\x03", b"\x09\x08\x07\x06"
RING = {(TENANT, KID): KEY.verify_key}


def _refusal(payload: str, ring=RING) -> Unreadable:  # type: ignore[no-untyped-def]
    with pytest.raises(BadgeUnreadable) as refused:
        verify(payload, ring)
    return refused.value.reason


def test_a_badge_verifies_back_to_what_was_issued():
    assert verify(issue(BADGE, KID, KEY), RING) == BADGE


def test_a_badge_with_platform_ids_fits_a_version_9_qr_in_alphanumeric_mode():
    qr = segno.make(issue(BADGE, KID, KEY), error="m", micro=False)
    assert qr.mode == "alphanumeric"
    assert qr.version <= 9


def test_changing_any_byte_of_a_badge_is_refused():
    raw = base45.b45decode(issue(BADGE, KID, KEY))
    for at in range(len(raw)):
        forged = bytearray(raw)
        forged[at] ^= 0x01
        assert _refusal(base45.b45encode(bytes(forged)).decode()) in set(Unreadable)


def test_a_badge_signed_with_another_key_under_the_same_id_has_a_bad_signature():
    assert _refusal(issue(BADGE, KID, OTHER_KEY)) is Unreadable.BAD_SIGNATURE


def test_a_key_id_the_tenant_does_not_have_is_unknown_and_so_is_a_tenant_with_no_keys():
    assert _refusal(issue(BADGE, OTHER_KID, OTHER_KEY)) is Unreadable.UNKNOWN_KEY
    other_tenant = Badge(**{**BADGE.__dict__, "tenant_id": "another-tenant"})
    assert _refusal(issue(other_tenant, KID, KEY)) is Unreadable.UNKNOWN_KEY


def test_both_keys_verify_during_a_rotation_and_a_retired_key_stops_verifying():
    old, new = issue(BADGE, KID, KEY), issue(BADGE, OTHER_KID, OTHER_KEY)
    overlap = {**RING, (TENANT, OTHER_KID): OTHER_KEY.verify_key}
    assert verify(old, overlap) == verify(new, overlap) == BADGE
    retired = {(TENANT, OTHER_KID): OTHER_KEY.verify_key}
    assert _refusal(old, retired) is Unreadable.UNKNOWN_KEY


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ("", Unreadable.TRUNCATED),
        ("not a badge!", Unreadable.NOT_BASE45),
        ("ÄÖÜ", Unreadable.NOT_BASE45),
        ('{"pid": "p1", "tid": "t1"}', Unreadable.NOT_BASE45),
        ("A", Unreadable.NOT_BASE45),
    ],
)
def test_a_payload_that_is_no_badge_says_why(payload: str, reason: Unreadable):
    assert _refusal(payload) is reason


def test_a_cut_badge_is_truncated_and_an_unknown_format_version_is_refused():
    raw = base45.b45decode(issue(BADGE, KID, KEY))
    assert _refusal(base45.b45encode(raw[:40]).decode()) is Unreadable.TRUNCATED
    assert _refusal(base45.b45encode(raw[:-1]).decode()) is Unreadable.TRUNCATED
    assert _refusal(base45.b45encode(b"\x02" + raw[1:]).decode()) is Unreadable.UNKNOWN_VERSION


def test_a_line_ending_from_a_scanner_is_ignored_and_a_leading_space_of_the_payload_is_kept():
    assert verify(f"{issue(BADGE, KID, KEY)}\r\n", RING) == BADGE
    spaced_kid = b"\x05\x00\x00\x00"  # version 1 then 5: 261 = 36 + 5 * 45, and 36 is base45's space
    payload = issue(BADGE, spaced_kid, KEY)
    assert payload.startswith(" ")
    assert verify(payload, {(TENANT, spaced_kid): KEY.verify_key}) == BADGE


def test_reading_without_a_key_names_the_tenant_and_key_to_verify_with():
    signed = read(issue(BADGE, KID, KEY))
    assert (signed.badge.tenant_id, signed.key_id) == (TENANT, KID)


@pytest.mark.parametrize("bad", ["", "é", "x" * 256])
def test_an_id_that_cannot_be_carried_is_refused_when_issuing(bad: str):
    with pytest.raises(ValueError):
        issue(Badge(**{**BADGE.__dict__, "participant_id": bad}), KID, KEY)
