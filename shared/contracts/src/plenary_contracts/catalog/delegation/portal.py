"""delegation: what a delegate does with the e-mail's link, without signing in. The token is the credential:
accept the invite, register once it is accepted, or wait for a place when the quota is full. The gateway
rate-limits these public routes per client address; an unknown token is 404, whatever its tenant."""

from typing import Annotated, Any

from pydantic import Field, StringConstraints

from ...enums import DelegationInviteStatus
from ...errors import ErrorCode
from ...fields import Id, Name
from ...model import Model
from ..registration._common import Short
from ._common import TAG, _cmd, _route
from .invites import Email

Token = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9a-f]{64}$")]


class InviteToken(Model):
    token: Token = Field(description="The 64 hex characters of the e-mail's link.")


class Acceptance(Model):
    invite_id: str
    event_id: str
    organization_id: str
    status: DelegationInviteStatus
    already_accepted: bool = False


class DelegateDetails(Model):
    """What the delegate registers with; the organisation is the quota's and the workflow the event's."""

    participant_type_id: Id
    first_name: Name
    last_name: Name
    email: Email | None = Field(None, description="Leave out to register with the invite's address.")
    job_title: Short | None = None
    nationality: Short | None = None
    extras: dict[str, Any] = Field(
        default_factory=dict, description="Values of the event's dynamic fields, checked against their definitions."
    )


class RegisterDelegate(InviteToken):
    delegate: DelegateDetails


class DelegateRegistered(Model):
    invite_id: str
    participant_id: str
    registration_code: str


class WaitingInvite(Model):
    invite_id: str
    status: DelegationInviteStatus
    waiting: bool = Field(description="True while waiting; False when a place was free and the invite was accepted.")


_PUBLIC_ERRORS = (ErrorCode.NOT_FOUND, ErrorCode.BAD_REQUEST, ErrorCode.VALIDATION_ERROR)

# --- operations ----------------------------------------------------------------------------------

ACCEPT_INVITE = _cmd(
    "accept_invite", InviteToken, Acceptance,
    "Accept an invite by its token (no sign-in): 404 unknown, an ACCEPTED one again is `alreadyAccepted`, 400 "
    "cancelled, expired or the quota full; else the invite takes one of the quota's places.",
    errors=_PUBLIC_ERRORS, public=True, http=_route("POST", "/delegation/accept", "Accept an invite", TAG),
)  # fmt: skip
REGISTER_DELEGATE = _cmd(
    "register_delegate", RegisterDelegate, DelegateRegistered,
    "Register the delegate of an ACCEPTED invite (no sign-in; once per invite) through registration: screened, "
    "extras checked against the event's fields, tagged with the organisation, into the event's workflow.",
    errors=(*_PUBLIC_ERRORS, ErrorCode.CONFLICT), public=True,
    http=_route("POST", "/delegation/register", "Register as a delegate", TAG, 201),
)  # fmt: skip
WAIT_FOR_PLACE = _cmd(
    "wait_for_place", InviteToken, WaitingInvite,
    "A PENDING invite of a full quota joins the organisation's waitlist: the first place given back is "
    "offered to it (the invite is accepted) before the quota is shown free.",
    errors=_PUBLIC_ERRORS, public=True, http=_route("POST", "/delegation/waitlist", "Wait for a place", TAG),
)  # fmt: skip
