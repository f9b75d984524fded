"""Secrets sealed at rest: a copy of the database alone gives none of them back.

XSalsa20-Poly1305 (``nacl.secret.SecretBox``) under a key derived with BLAKE2b from a deployment setting and a
purpose (its personalisation), so two uses of one setting never share a key. Sealed bytes are nonce,
ciphertext and tag, as SecretBox makes them; a sealed text is those bytes in base64. Keep both formats and the
derivation as they are: rows sealed earlier must stay readable.
"""

import base64

from nacl.encoding import RawEncoder
from nacl.hash import blake2b
from nacl.secret import SecretBox


class Sealer:
    def __init__(self, secret: str, purpose: str) -> None:
        person = purpose.encode()[:16]  # BLAKE2b's personalisation holds 16 bytes
        key = blake2b(secret.encode(), digest_size=SecretBox.KEY_SIZE, person=person, encoder=RawEncoder)
        self._box = SecretBox(key)

    def seal(self, plain: str) -> str:
        return base64.b64encode(self.seal_bytes(plain.encode())).decode("ascii")

    def unseal(self, sealed: str) -> str:
        return self.unseal_bytes(base64.b64decode(sealed)).decode()

    def seal_bytes(self, plain: bytes) -> bytes:
        """For a binary column."""
        return bytes(self._box.encrypt(plain))

    def unseal_bytes(self, sealed: bytes) -> bytes:
        return self._box.decrypt(sealed)
