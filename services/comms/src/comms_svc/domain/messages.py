"""A message ready to go out on one channel, and what came of sending it."""

from dataclasses import dataclass

from plenary_contracts.enums import MessageChannel

# A delivery's address once its person was erased: the delivery is kept for the counts, never sent. (Not empty:
# a delivery to a participant with no phone number or address has an empty one, and fails as NO_RECIPIENT.)
ERASED_RECIPIENT = "[erased]"


@dataclass(frozen=True)
class Outgoing:
    delivery_id: str  # also the provider's idempotency key and the e-mail's Message-ID
    tenant_id: str
    channel: MessageChannel
    recipient: str
    subject: str | None
    body: str
    html: bool = False
    unsubscribe_link: str | None = None  # a broadcast e-mail's (also its List-Unsubscribe header)


@dataclass(frozen=True)
class Attempt:
    ok: bool
    external_id: str | None = None
    error: str | None = None
    error_code: str | None = None
    permanent: bool = False  # sending it again would fail the same way

    @classmethod
    def sent(cls, external_id: str | None) -> "Attempt":
        return cls(True, external_id)

    @classmethod
    def failed(cls, error: str, code: str, *, permanent: bool = False) -> "Attempt":
        return cls(False, None, error, code, permanent)
