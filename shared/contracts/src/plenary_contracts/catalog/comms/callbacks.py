"""comms: what a message provider reports after accepting a message: DELIVERED to the person, or BOUNCED.

The provider signs each report: ``signature`` is the hex HMAC-SHA256, under the deployment's callback secret,
of ``<deliveryId>.<status>.<timestamp>``. A report for a delivery not SENT (or, for a bounce, DELIVERED)
changes nothing; a repeated one neither.
"""

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from ...enums import MessageStatus
from ...errors import ErrorCode
from ...fields import Id
from ...model import Model
from ._common import TAG, _cmd, _route


class ProviderReport(Model):
    delivery_id: Id = Field(description="The id the message was sent with (its Idempotency-Key, its Message-ID).")
    status: Literal["DELIVERED", "BOUNCED"]
    timestamp: int = Field(ge=0, description="When it happened, Unix seconds.")
    reason: Annotated[str, StringConstraints(max_length=500)] | None = Field(None, description="Why it bounced.")
    signature: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class ReportOutcome(Model):
    delivery_id: str
    status: MessageStatus
    changed: bool = Field(description="False when the delivery already was in that state or past it.")


PROVIDER_REPORT = _cmd(
    "provider_report", ProviderReport, ReportOutcome,
    "A provider's signed report that a message was delivered or bounced (400 for a bad signature).",
    errors=(ErrorCode.BAD_REQUEST, ErrorCode.NOT_FOUND), public=True,
    http=_route("POST", "/comms/provider-reports", "Report a delivery or bounce (providers)", TAG),
)  # fmt: skip
