"""registration: screening a registration against the blacklist and likely duplicates, and reviewing them."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, StringConstraints

from ...enums import (
    BlacklistType,
    DuplicateStatus,
)
from ...fields import AwareDatetime, Id
from ...listing import ListQuery, Page
from ...model import Model
from ...permissions import Permission
from ...personal import Personal
from ._common import (
    _NOT_FOUND,
    _REVIEW,
    _STATE_ERRORS,
    _UPDATE_ERRORS,
    _WRITE_ERRORS,
    Email,
    Short,
    _cmd,
    _event,
    _qry,
    _route,
)

Text = Annotated[str, StringConstraints(max_length=2000)]


class DuplicateMatch(Model):
    field: str
    source_value: str
    match_value: str
    score: float
    match_type: str


class ScreenedDuplicate(Model):
    participant_id: str
    score: float
    risk: Literal["WARN", "BLOCK"]
    matches: list[DuplicateMatch]


class BlacklistMatch(Model):
    blacklist_id: str
    match_type: Literal["exact", "fuzzy"]
    match_field: str
    match_value: str


class Screening(Model):
    """What screening found: PASS registers, WARN registers and flags, BLOCK refuses."""

    risk: Literal["PASS", "WARN", "BLOCK"]
    allowed: bool
    blacklist: list[BlacklistMatch] = Field(default_factory=list)
    duplicates: list[ScreenedDuplicate] = Field(default_factory=list)


def _split_variations(value: Any) -> Any:
    if isinstance(value, str):  # clients may send them comma-separated
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


Variations = Annotated[list[Short], BeforeValidator(_split_variations), Field(max_length=50)]


class BlacklistEntry(Model):
    id: str
    tenant_id: str | None = Field(None, description="None: a global entry, screened in every tenant.")
    type: BlacklistType
    name: str | None = None
    name_variations: list[str] = Field(default_factory=list)
    passport_number: str | None = None
    email: str | None = None
    date_of_birth: date | None = None
    nationality: str | None = None
    organization: str | None = None
    reason: str
    source: str | None = None
    added_by: str
    expires_at: datetime | None = None
    is_active: bool
    created_at: datetime
    updated_at: datetime


class CreateBlacklistEntry(Model):
    """A global admin acting without ``X-Tenant-Id`` creates a global entry; anyone else, one of the tenant."""

    type: BlacklistType = BlacklistType.INDIVIDUAL
    name: Short | None = None
    name_variations: Variations = Field(default_factory=list)
    passport_number: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] | None = None
    email: Email | None = None
    date_of_birth: date | None = None
    nationality: Short | None = None
    organization: Short | None = None
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    source: Short | None = None
    expires_at: AwareDatetime | None = None


class UpdateBlacklistEntry(Model):
    id: Id
    type: BlacklistType | None = None
    name: Short | None = None
    name_variations: Variations | None = None
    passport_number: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] | None = None
    email: Email | None = None
    date_of_birth: date | None = None
    nationality: Short | None = None
    organization: Short | None = None
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)] | None = None
    source: Short | None = None
    expires_at: AwareDatetime | None = None
    is_active: bool | None = None


class BlacklistRef(Model):
    id: Id


class ListBlacklist(ListQuery):
    page_size: int = Field(25, ge=1, le=100)
    type: BlacklistType | None = None
    is_active: bool | None = None
    scope: Literal["all", "tenant", "global"] = Field("all", description="A tenant sees its own and global entries.")
    q: Annotated[str, StringConstraints(max_length=200)] | None = None


class BlacklistPage(Page[BlacklistEntry]):
    pass


class DuplicateCandidate(Model):
    id: str
    tenant_id: str
    event_id: str | None = None
    participant_a_id: str
    participant_b_id: str
    confidence_score: float
    match_fields: list[DuplicateMatch]
    status: DuplicateStatus
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    review_notes: str | None = None
    created_at: datetime
    updated_at: datetime


class ListDuplicates(ListQuery):
    page_size: int = Field(25, ge=1, le=100)
    sort: str = Field("confidenceScore:desc", pattern=r"^[A-Za-z][A-Za-z0-9_]*:(asc|desc)$")
    event_id: Id | None = None
    status: DuplicateStatus | None = None
    participant_id: Id | None = Field(None, description="Candidates naming this participant on either side.")


class DuplicatePage(Page[DuplicateCandidate]):
    pass


class ReviewDuplicate(Model):
    id: Id
    status: Literal[DuplicateStatus.CONFIRMED_DUPLICATE, DuplicateStatus.NOT_DUPLICATE]
    notes: Text | None = None


class DuplicateFlagged(Model):
    participant_id: str
    event_id: str
    candidate: DuplicateCandidate


class RegistrationBlocked(Model):
    event_id: str
    first_name: str
    last_name: str
    email: str | None = None
    screening: Screening
    source: str = Field(description="api | import | waitlist | invite")


class BlacklistChanged(Model):
    entry: BlacklistEntry


# --- domain events -------------------------------------------------------------------------------

DUPLICATE_FLAGGED = _event(
    "duplicate",
    "flagged",
    DuplicateFlagged,
    "A registration looks like another person.",
    # the values compared (names, addresses), sealed with the key of the registration that was flagged
    personal=Personal("participantId", ("candidate.matchFields", "candidate.reviewNotes")),
)
REGISTRATION_BLOCKED = _event("registration", "blocked", RegistrationBlocked, "Screening refused a registration.")
BLACKLIST_ENTRY_CREATED = _event("blacklist_entry", "created", BlacklistChanged, "A blacklist entry was added.")
BLACKLIST_ENTRY_UPDATED = _event("blacklist_entry", "updated", BlacklistChanged, "A blacklist entry changed.")
BLACKLIST_ENTRY_DELETED = _event("blacklist_entry", "deleted", BlacklistChanged, "A blacklist entry was removed.")
_BLACKLIST = Permission("blacklist", "manage")


# --- operations ----------------------------------------------------------------------------------

CREATE_BLACKLIST_ENTRY = _cmd(
    "create_blacklist_entry", CreateBlacklistEntry, BlacklistEntry,
    "Add a blacklist entry (a global admin without X-Tenant-Id adds a global one).",
    errors=_WRITE_ERRORS, permission=_BLACKLIST,
    http=_route("POST", "/blacklist", "Add a blacklist entry", "screening", 201),
)  # fmt: skip
LIST_BLACKLIST = _qry(
    "list_blacklist", ListBlacklist, BlacklistPage, "Blacklist entries of the tenant and the global ones.",
    permission=_BLACKLIST, http=_route("GET", "/blacklist", "List blacklist entries", "screening"),
)  # fmt: skip
GET_BLACKLIST_ENTRY = _qry(
    "get_blacklist_entry", BlacklistRef, BlacklistEntry, "One blacklist entry.",
    errors=_NOT_FOUND, permission=_BLACKLIST,
    http=_route("GET", "/blacklist/{id}", "Get a blacklist entry", "screening"),
)  # fmt: skip
UPDATE_BLACKLIST_ENTRY = _cmd(
    "update_blacklist_entry", UpdateBlacklistEntry, BlacklistEntry,
    "Change or deactivate an entry (If-Match); global entries only by a global admin.",
    errors=_UPDATE_ERRORS, permission=_BLACKLIST,
    http=_route("PATCH", "/blacklist/{id}", "Update a blacklist entry", "screening"),
)  # fmt: skip
DELETE_BLACKLIST_ENTRY = _cmd(
    "delete_blacklist_entry", BlacklistRef, BlacklistRef, "Remove an entry; global entries only by a global admin.",
    errors=_NOT_FOUND, permission=_BLACKLIST,
    http=_route("DELETE", "/blacklist/{id}", "Delete a blacklist entry", "screening", 204),
)  # fmt: skip
LIST_DUPLICATES = _qry(
    "list_duplicates", ListDuplicates, DuplicatePage, "Duplicate candidates, best score first.",
    permission=_REVIEW, http=_route("GET", "/duplicates", "List duplicate candidates", "screening"),
)  # fmt: skip
REVIEW_DUPLICATE = _cmd(
    "review_duplicate", ReviewDuplicate, DuplicateCandidate, "Confirm a candidate as duplicate, or dismiss it.",
    errors=_STATE_ERRORS, permission=_REVIEW,
    http=_route("POST", "/duplicates/{id}/review", "Review a duplicate candidate", "screening"),
)  # fmt: skip
