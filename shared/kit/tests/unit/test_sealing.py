import base64

import pytest
from nacl.encoding import RawEncoder
from nacl.exceptions import CryptoError
from nacl.hash import blake2b
from nacl.secret import SecretBox

from plenary_kit.sealing import Sealer


def test_a_sealed_secret_opens_with_the_same_setting_and_purpose_only():
    sealed = Sealer("setting", "webhooks").seal("whsec_abc")
    assert "whsec_abc" not in sealed
    assert Sealer("setting", "webhooks").unseal(sealed) == "whsec_abc"
    with pytest.raises(CryptoError):
        Sealer("another setting", "webhooks").unseal(sealed)
    with pytest.raises(CryptoError):
        Sealer("setting", "badges").unseal(sealed)


def test_sealing_twice_gives_two_texts():
    sealer = Sealer("setting", "webhooks")
    assert sealer.seal("x") != sealer.seal("x")


def test_sealed_bytes_are_a_secretbox_message_under_the_purpose_personalised_key():
    """Rows sealed before this helper existed (badge keys: purpose ``checkin.badges``) must still open."""
    key = blake2b(b"setting", digest_size=SecretBox.KEY_SIZE, person=b"checkin.badges", encoder=RawEncoder)
    sealer = Sealer("setting", "checkin.badges")
    earlier = bytes(SecretBox(key).encrypt(b"\x00private key bytes\xff"))
    assert sealer.unseal_bytes(earlier) == b"\x00private key bytes\xff"
    assert SecretBox(key).decrypt(sealer.seal_bytes(b"\x01\x02")) == b"\x01\x02"


def test_a_sealed_text_is_the_sealed_bytes_in_base64():
    sealer = Sealer("setting", "webhooks")
    assert sealer.unseal_bytes(base64.b64decode(sealer.seal("whsec_abc"))) == b"whsec_abc"
    assert sealer.unseal(base64.b64encode(sealer.seal_bytes(b"whsec_abc")).decode()) == "whsec_abc"
