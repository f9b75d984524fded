"""delegation: invites sent against a quota, and the sweeper's expiry.

An invite's token (32 random bytes, 64 hex characters) is shown only in the e-mail's link: delegation stores
its SHA-256 and hands comms the token sealed (``sealedToken`` of ``invite.sent``) for the one e-mail."""

from typing import Annotated

from pydantic import Field, StringConstraints

from ...enums import DelegationInviteStatus
from ...fields import Id
from ...listing import ListQuery, Page
from ...model import Model
from ...personal import Personal
from ._common import _PORTAL, _STATE_ERRORS, _WRITE_ERRORS, TAG, _cmd, _event, _qry, _route
from .quotas import Invite, OrganizationId

DEFAULT_EXPIRY_DAYS = 14
SEALING_PURPOSE = "delegation.invite"  # the token's sealing for comms: delegation seals, comms unseals
ACCEPT_PATH = "/delegation/accept"  # the portal page an e-mail's link opens, with ``?token=``

Email = Annotated[str, StringConstraints(strip_whitespace=True, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]


class SendInvite(Model):
    quota_id: Id
    email: Email
    expires_in_days: Annotated[int, Field(ge=1, le=90)] = DEFAULT_EXPIRY_DAYS


class InviteRef(Model):
    id: Id


class ResendInvite(InviteRef):
    expires_in_days: Annotated[int, Field(ge=1, le=90)] = DEFAULT_EXPIRY_DAYS


class ListInvites(ListQuery):
    quota_id: Id | None = None
    event_id: Id | None = None
    organization_id: OrganizationId | None = None
    status: DelegationInviteStatus | None = None


class InvitePage(Page[Invite]):
    pass


class InviteSent(Model):
    """The invite e-mail to send: ``sealedToken`` opens only with the deployment's invite secret."""

    invite: Invite
    sealed_token: str
    accept_path: str = ACCEPT_PATH


class InviteChanged(Model):
    invite: Invite


# --- domain events -------------------------------------------------------------------------------

# The invitee's address, sealed with the invite's key (``plenary_contracts.personal``).
_INVITEE = Personal("invite.id", ("invite.email",))
INVITE_SENT = _event(
    "invite", "sent", InviteSent, "An invite was sent or re-sent (a new token each time).", personal=_INVITEE
)
INVITE_ACCEPTED = _event(
    "invite", "accepted", InviteChanged, "A delegate accepted; the invite holds a place.", personal=_INVITEE
)
INVITE_CANCELLED = _event(
    "invite", "cancelled", InviteChanged, "An invite was cancelled (its place, if any, back).", personal=_INVITEE
)
INVITE_EXPIRED = _event("invite", "expired", InviteChanged, "A pending invite ran out unanswered.", personal=_INVITEE)
INVITE_REGISTERED = _event(
    "invite",
    "registered",
    InviteChanged,
    "The accepted delegate registered; `participantId` names them.",
    personal=_INVITEE,
)
INVITE_RELEASED = _event(
    "invite",
    "released",
    InviteChanged,
    "The delegate left (cancelled, rejected, deleted): the place came back.",
    personal=_INVITEE,
)
INVITE_WAITLISTED = _event(
    "invite", "waitlisted", InviteChanged, "A delegate refused for a full quota waits for a place.", personal=_INVITEE
)

_INVITES = "/delegation/invites"

# --- operations ----------------------------------------------------------------------------------

SEND_INVITE = _cmd(
    "send_invite", SendInvite, Invite,
    "Invite a delegate by e-mail against a quota (400 when the quota is full); the link expires in 14 days.",
    errors=_WRITE_ERRORS, **_PORTAL,
    http=_route("POST", "/delegation/quotas/{quotaId}/invites", "Send an invite", TAG, 201),
)  # fmt: skip
LIST_INVITES = _qry(
    "list_invites", ListInvites, InvitePage, "Invites, newest first, by quota, event, organisation or status.",
    errors=_WRITE_ERRORS, **_PORTAL, http=_route("GET", _INVITES, "List invites", TAG),
)  # fmt: skip
RESEND_INVITE = _cmd(
    "resend_invite", ResendInvite, Invite,
    "Send a PENDING invite again with a new link (the old one stops working) and a new expiry.",
    errors=_STATE_ERRORS, **_PORTAL, http=_route("POST", _INVITES + "/{id}/resend", "Resend an invite", TAG),
)  # fmt: skip
CANCEL_INVITE = _cmd(
    "cancel_invite", InviteRef, Invite,
    "Cancel an invite (400 when already cancelled); an ACCEPTED one gives its place back at once.",
    errors=_STATE_ERRORS, **_PORTAL, http=_route("POST", _INVITES + "/{id}/cancel", "Cancel an invite", TAG),
)  # fmt: skip
