"""delegation: an organisation's quota of places at an event.

``usedCount`` counts accepted invites still holding a place; pending invites hold none. Crossing 80 % and
100 % of the quota is announced once per crossing (``quota.warning``, ``quota.exhausted``)."""

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from ...enums import DelegationInviteStatus
from ...fields import Id
from ...listing import ListQuery, Page
from ...model import Model
from ._common import _NOT_FOUND, _PORTAL, _STATE_ERRORS, _WRITE_ERRORS, TAG, _cmd, _event, _qry, _route

MAX_PLACES = 100_000

OrganizationId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class Quota(Model):
    id: str
    tenant_id: str
    event_id: str
    organization_id: str = Field(description="The organisation's external id (free text).")
    max_participants: int
    used_count: int = Field(description="Places held by accepted invites.")
    created_at: datetime
    updated_at: datetime


class Invite(Model):
    """An invite as organisers see it: never its token (only the e-mail's link holds it)."""

    id: str
    tenant_id: str
    quota_id: str
    event_id: str
    organization_id: str
    email: str
    status: DelegationInviteStatus
    invited_by: str
    accepted_at: datetime | None = None
    expires_at: datetime
    waitlisted_at: datetime | None = Field(
        None, description="When the delegate, refused for a full quota, asked to wait for a place."
    )
    participant_id: str | None = Field(None, description="The delegate registered with this invite.")
    place_released_at: datetime | None = Field(
        None, description="When its place came back (the delegate was cancelled, rejected or deleted)."
    )
    created_at: datetime
    updated_at: datetime


class QuotaSummary(Quota):
    invite_counts: dict[DelegationInviteStatus, int] = Field(description="Invites per status.")


class UpsertQuota(Model):
    """Create the organisation's quota at the event, or change its size (never below the places in use)."""

    event_id: Id
    organization_id: OrganizationId
    max_participants: Annotated[int, Field(ge=1, le=MAX_PLACES)]


class QuotaRef(Model):
    id: Id


class QuotaDetail(Quota):
    invites: list[Invite] = Field(description="Newest first.")


class ListQuotas(ListQuery):
    event_id: Id | None = None
    organization_id: OrganizationId | None = None


class QuotaPage(Page[QuotaSummary]):
    pass


class QuotaChanged(Model):
    quota: Quota
    freed: int = Field(0, description="Places this change gave back (a cancelled, rejected or deleted delegate).")


class QuotaDeleted(Model):
    quota: Quota


# --- domain events -------------------------------------------------------------------------------

QUOTA_CHANGED = _event(
    "quota", "changed", QuotaChanged, "A quota was created or resized, or a place was taken or given back."
)
QUOTA_WARNING = _event("quota", "warning", QuotaChanged, "The quota reached 80 % (once per crossing).")
QUOTA_EXHAUSTED = _event("quota", "exhausted", QuotaChanged, "The quota is full (once per crossing).")
QUOTA_DELETED = _event("quota", "deleted", QuotaDeleted, "A quota and its invites were deleted.")

_QUOTAS = "/delegation/quotas"

# --- operations ----------------------------------------------------------------------------------

UPSERT_QUOTA = _cmd(
    "upsert_quota", UpsertQuota, Quota,
    "Give an organisation places at an event, or resize its quota (400 below the places in use).",
    errors=_WRITE_ERRORS, **_PORTAL, http=_route("PUT", _QUOTAS, "Set an organisation's quota", TAG),
)  # fmt: skip
LIST_QUOTAS = _qry(
    "list_quotas", ListQuotas, QuotaPage, "Quotas with their invite counts, by event or organisation.",
    errors=_WRITE_ERRORS, **_PORTAL, http=_route("GET", _QUOTAS, "List quotas", TAG),
)  # fmt: skip
GET_QUOTA = _qry(
    "get_quota", QuotaRef, QuotaDetail, "A quota with its invites, newest first.",
    errors=_NOT_FOUND, **_PORTAL, http=_route("GET", _QUOTAS + "/{id}", "Get a quota", TAG),
)  # fmt: skip
DELETE_QUOTA = _cmd(
    "delete_quota", QuotaRef, QuotaRef, "Delete a quota and its invites (400 while an invite is ACCEPTED).",
    errors=_STATE_ERRORS, **_PORTAL, http=_route("DELETE", _QUOTAS + "/{id}", "Delete a quota", TAG, 204),
)  # fmt: skip
