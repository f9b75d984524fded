"""registration: participants, screening (duplicates, blacklist, merge), waitlist, bulk import/export/undo
(requirements.md §1 Participant, P4-01 participants endpoints, P4-06, P4-09, P4-11)."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, StringConstraints

from ..enums import (
    BlacklistType,
    BulkItemStatus,
    BulkOperationStatus,
    BulkOperationType,
    DuplicateStatus,
    ParticipantStatus,
    WaitlistPriority,
    WaitlistStatus,
)
from ..errors import ErrorCode
from ..fields import AwareDatetime, Id, Name
from ..files import StoredFile
from ..flags import FlagKey
from ..listing import ListQuery, Page
from ..model import Model
from ..permissions import Permission
from ..specs import Specs, route

SERVICE = "registration"
_SPECS = Specs(SERVICE)
_event, _cmd, _qry = _SPECS.event, _SPECS.command, _SPECS.query
_route = route
OFFER_HOURS = 48
UNDO_HOURS = 24
MAX_IMPORT_ROWS = 100_000
MAX_IMPORT_BYTES = 50 * 1024 * 1024
PREVIEW_ROWS = 20

Text = Annotated[str, StringConstraints(max_length=2000)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Email = Annotated[str, StringConstraints(strip_whitespace=True, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
RegistrationCode = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-/]+$")
]

# --- participants --------------------------------------------------------------------------------


class ParticipantRecord(Model):
    """A participant as registration holds it; what other services keep as their read model."""

    id: str
    tenant_id: str
    event_id: str
    participant_type_id: str
    participant_type_code: str | None = None
    workflow_id: str | None = Field(None, description="The workflow to enter; else the event's one for the type.")
    registration_code: str
    first_name: str
    last_name: str
    email: str | None = None
    organization: str | None = None
    job_title: str | None = None
    nationality: str | None = None
    status: ParticipantStatus = ParticipantStatus.PENDING
    extras: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime
    updated_at: datetime


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


class Participant(ParticipantRecord):
    flagged: bool = Field(False, description="Screening found a likely duplicate awaiting review.")
    screening: Screening | None = Field(None, description="Only in the reply to a registration.")


class ParticipantDetails(Model):
    """What a person registers with; shared by registration, waitlist entries and (later) invites."""

    participant_type_id: Id
    workflow_id: Id | None = Field(None, description="Leave out to enter the event's workflow for the type.")
    registration_code: RegistrationCode | None = Field(None, description="Unique in the event; generated if absent.")
    first_name: Name
    last_name: Name
    email: Email | None = None
    organization: Short | None = None
    job_title: Short | None = None
    nationality: Short | None = None
    extras: dict[str, Any] = Field(
        default_factory=dict, description="Values of the event's dynamic fields, checked against their definitions."
    )


class RegisterParticipant(ParticipantDetails):
    event_id: Id


class ScreenParticipant(RegisterParticipant):
    """The same body as a registration; nothing is stored."""


class UpdateParticipant(Model):
    """A partial update guarded by ``If-Match``. CANCELLED frees the participant's slot."""

    event_id: Id
    id: Id
    participant_type_id: Id | None = None
    registration_code: RegistrationCode | None = None
    first_name: Name | None = None
    last_name: Name | None = None
    email: Email | None = None
    organization: Short | None = None
    job_title: Short | None = None
    nationality: Short | None = None
    status: ParticipantStatus | None = None
    extras: dict[str, Any] | None = Field(None, description="Merged into the stored extras; a null value removes.")


class ParticipantRef(Model):
    event_id: Id
    id: Id


class ListParticipants(ListQuery):
    event_id: Id
    status: ParticipantStatus | None = None
    participant_type_id: Id | None = None
    flagged: bool | None = None
    q: Annotated[str, StringConstraints(max_length=200)] | None = Field(
        None, description="Name, e-mail or registration code contains."
    )


class ParticipantPage(Page[Participant]):
    pass


# --- blacklist, duplicates, merge ----------------------------------------------------------------


def _split_variations(value: Any) -> Any:
    if isinstance(value, str):  # the original sends them comma-separated
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


MergeableField = Literal["firstName", "lastName", "email", "organization", "jobTitle", "nationality"]


class MergeParticipants(Model):
    survivor_id: Id
    merged_id: Id
    field_resolution: dict[
        Annotated[str, StringConstraints(min_length=1, max_length=64)], Literal["surviving", "merged"]
    ] = Field(
        default_factory=dict,
        description="Per field, whose value the survivor keeps; fixed fields or extras keys. Default: surviving.",
    )


class MergeRecord(Model):
    id: str
    tenant_id: str
    surviving_id: str
    merged_id: str
    field_resolution: dict[str, str]
    approvals_migrated: int
    merged_by: str
    merged_at: datetime


class MergeResult(Model):
    survivor: Participant
    history: MergeRecord


class ListMergeHistory(ListQuery):
    page_size: int = Field(25, ge=1, le=100)
    sort: str = Field("mergedAt:desc", pattern=r"^[A-Za-z][A-Za-z0-9_]*:(asc|desc)$")
    participant_id: Id | None = None


class MergePage(Page[MergeRecord]):
    pass


# --- waitlist ------------------------------------------------------------------------------------


class WaitlistOffer(Model):
    id: str
    triggered_by: str
    trigger_entity_id: str | None = None
    promoted_by: str | None = None
    slot_available_at: datetime
    promoted_at: datetime
    deadline: datetime
    confirmed_at: datetime | None = None
    declined_at: datetime | None = None
    expired_at: datetime | None = None


class WaitlistEntry(Model):
    id: str
    tenant_id: str
    event_id: str
    participant_type_id: str
    participant_id: str | None = Field(None, description="Set when the offer was confirmed and the person registered.")
    priority: WaitlistPriority
    status: WaitlistStatus
    position: int | None = Field(None, description="1-based place in the queue; None unless ACTIVE.")
    registration_data: ParticipantDetails
    offer: WaitlistOffer | None = Field(None, description="The latest offer, live or not.")
    promoted_at: datetime | None = None
    promotion_deadline: datetime | None = None
    expired_at: datetime | None = None
    withdrawn_at: datetime | None = None
    notifications_sent: int
    created_at: datetime
    updated_at: datetime


class AddToWaitlist(Model):
    """A person waiting for a slot; re-adding one who withdrew or expired reactivates their entry."""

    event_id: Id
    priority: WaitlistPriority = WaitlistPriority.STANDARD
    registration: ParticipantDetails


class WaitlistRef(Model):
    id: Id


class UpdateWaitlistPriority(Model):
    id: Id
    priority: WaitlistPriority


class ListWaitlist(ListQuery):
    event_id: Id
    status: WaitlistStatus | None = None
    participant_type_id: Id | None = None
    sort: str = Field(
        "queue:asc", pattern=r"^[A-Za-z][A-Za-z0-9_]*:(asc|desc)$", description="`queue` = priority, FIFO."
    )


class WaitlistPage(Page[WaitlistEntry]):
    pass


class PromoteFromWaitlist(Model):
    event_id: Id
    participant_type_id: Id
    slots: Annotated[int, Field(ge=1, le=1000)] = 1


class Promotions(Model):
    entries: list[WaitlistEntry]


class Confirmation(Model):
    entry: WaitlistEntry
    participant: Participant


class WaitlistStatsQuery(Model):
    event_id: Id
    participant_type_id: Id | None = None


class WaitlistStats(Model):
    by_status: dict[str, int]
    total: int
    average_wait_hours: float | None = Field(None, description="Mean time from offer to confirmation.")
    promotion_success_rate: int = Field(description="Confirmed offers out of all entries, in percent.")


# --- bulk operations -----------------------------------------------------------------------------


class ImportCounts(Model):
    total: int = 0
    valid: int = 0
    warning: int = 0
    error: int = 0


class BulkOperation(Model):
    id: str
    tenant_id: str
    event_id: str
    type: BulkOperationType
    status: BulkOperationStatus
    description: str
    file_name: str | None = None
    mappings: dict[str, str] | None = Field(None, description="Column header → participant field.")
    counts: ImportCounts | None = None
    total_items: int
    processed_items: int
    success_count: int
    failure_count: int
    download_url: str | None = Field(None, description="An export's file, under /api/v1.")
    undo_deadline: datetime | None = None
    error_log: list[str] | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    rolled_back_at: datetime | None = None
    created_by: str
    created_at: datetime
    updated_at: datetime


class CreateImport(Model):
    """The file comes as the request body (CSV or XLSX); the gateway stores it and passes ``file``."""

    event_id: Id
    file: StoredFile
    description: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)] | None = None
    participant_type_id: Id | None = Field(
        None, description="The type every row registers as; the event's first if absent."
    )


class BulkOperationRef(Model):
    id: Id


class ValidateImport(Model):
    id: Id
    mappings: (
        dict[Annotated[str, StringConstraints(max_length=200)], Annotated[str, StringConstraints(max_length=64)]] | None
    ) = Field(
        None, description="Column header → participant field; suggested (names, aliases, Levenshtein ≤ 2) if absent."
    )


class PreviewRow(Model):
    row_number: int
    status: BulkItemStatus
    data: dict[str, Any]
    message: str | None = None


class ImportPreview(Model):
    operation: BulkOperation
    headers: list[str]
    mappings: dict[str, str]
    unmapped_required: list[str]
    counts: ImportCounts
    preview: list[PreviewRow]


class BulkItem(Model):
    id: str
    operation_id: str
    participant_id: str | None = None
    row_number: int | None = None
    status: BulkItemStatus
    input_data: dict[str, Any] | None = None
    error_message: str | None = None
    processed_at: datetime | None = None


class ListBulkItems(ListQuery):
    id: Id
    page_size: int = Field(50, ge=1, le=100)
    sort: str = Field("rowNumber:asc", pattern=r"^[A-Za-z][A-Za-z0-9_]*:(asc|desc)$")
    status: BulkItemStatus | None = None


class BulkItemPage(Page[BulkItem]):
    pass


class ListBulkOperations(ListQuery):
    event_id: Id
    type: BulkOperationType | None = None
    status: BulkOperationStatus | None = None


class BulkOperationPage(Page[BulkOperation]):
    pass


ExportField = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class ExportParticipants(Model):
    event_id: Id
    status: ParticipantStatus | None = None
    participant_type_id: Id | None = None
    created_from: AwareDatetime | None = None
    created_to: AwareDatetime | None = None
    fields: list[ExportField] | None = Field(None, description="Fixed and dynamic field names; default all.")


# --- events --------------------------------------------------------------------------------------


class ParticipantChanged(Model):
    participant: ParticipantRecord


class ParticipantDeleted(Model):
    participant_id: str
    event_id: str


class ParticipantMerged(Model):
    survivor_id: str
    merged_ids: list[str]
    event_id: str


class SlotsFreed(Model):
    """Places of a participant type opened up; the waitlist offers them. Delegation publishes it too."""

    event_id: str
    participant_type_id: str
    slots: int
    reason: str
    trigger_entity_id: str | None = None


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


class WaitlistChanged(Model):
    entry: WaitlistEntry


class BulkOperationChanged(Model):
    operation: BulkOperation


PARTICIPANT_REGISTERED = _event(
    "participant", "registered", ParticipantChanged, "A participant registered (every path: API, import, waitlist)."
)
PARTICIPANT_UPDATED = _event("participant", "updated", ParticipantChanged, "A participant's details changed.")
PARTICIPANT_DELETED = _event("participant", "deleted", ParticipantDeleted, "A participant was deleted.")
PARTICIPANT_MERGED = _event(
    "participant", "merged", ParticipantMerged, "Duplicates were merged into a survivor; re-point their rows."
)
SLOTS_FREED = _event("slots", "freed", SlotsFreed, "A participant was cancelled or rejected; its place is free.")
DUPLICATE_FLAGGED = _event("duplicate", "flagged", DuplicateFlagged, "A registration looks like another person.")
REGISTRATION_BLOCKED = _event("registration", "blocked", RegistrationBlocked, "Screening refused a registration.")
BLACKLIST_ENTRY_CREATED = _event("blacklist_entry", "created", BlacklistChanged, "A blacklist entry was added.")
BLACKLIST_ENTRY_UPDATED = _event("blacklist_entry", "updated", BlacklistChanged, "A blacklist entry changed.")
BLACKLIST_ENTRY_DELETED = _event("blacklist_entry", "deleted", BlacklistChanged, "A blacklist entry was removed.")
WAITLIST_ADDED = _event("waitlist", "added", WaitlistChanged, "A person joined (or re-joined) the waitlist.")
WAITLIST_PROMOTED = _event("waitlist", "promoted", WaitlistChanged, "A waiting person was offered a slot.")
WAITLIST_REMINDED = _event("waitlist", "reminded", WaitlistChanged, "Half an offer's time passed unanswered.")
WAITLIST_CONFIRMED = _event("waitlist", "confirmed", WaitlistChanged, "An offer was taken; the person registered.")
WAITLIST_DECLINED = _event("waitlist", "declined", WaitlistChanged, "An offer was declined.")
WAITLIST_EXPIRED = _event("waitlist", "expired", WaitlistChanged, "An offer ran out unanswered.")
WAITLIST_WITHDRAWN = _event("waitlist", "withdrawn", WaitlistChanged, "A person left the waitlist.")
WAITLIST_CANCELLED = _event("waitlist", "cancelled", WaitlistChanged, "An admin removed a person from the waitlist.")
WAITLIST_REPRIORITIZED = _event("waitlist", "reprioritized", WaitlistChanged, "An entry changed priority tier.")
BULK_OPERATION_CREATED = _event("bulk_operation", "created", BulkOperationChanged, "An import was uploaded.")
BULK_OPERATION_VALIDATED = _event("bulk_operation", "validated", BulkOperationChanged, "An import was checked.")
BULK_OPERATION_CONFIRMED = _event("bulk_operation", "confirmed", BulkOperationChanged, "An import will run.")
BULK_OPERATION_PROGRESSED = _event("bulk_operation", "progressed", BulkOperationChanged, "A chunk was imported.")
BULK_OPERATION_COMPLETED = _event("bulk_operation", "completed", BulkOperationChanged, "An import or export ended.")
BULK_OPERATION_FAILED = _event("bulk_operation", "failed", BulkOperationChanged, "An import failed entirely.")
BULK_OPERATION_ROLLED_BACK = _event("bulk_operation", "rolled_back", BulkOperationChanged, "An import was undone.")
BULK_OPERATION_CANCELLED = _event("bulk_operation", "cancelled", BulkOperationChanged, "An import was dropped.")

EVENTS = [
    PARTICIPANT_REGISTERED,
    PARTICIPANT_UPDATED,
    PARTICIPANT_DELETED,
    PARTICIPANT_MERGED,
    SLOTS_FREED,
    DUPLICATE_FLAGGED,
    REGISTRATION_BLOCKED,
    BLACKLIST_ENTRY_CREATED,
    BLACKLIST_ENTRY_UPDATED,
    BLACKLIST_ENTRY_DELETED,
    WAITLIST_ADDED,
    WAITLIST_PROMOTED,
    WAITLIST_REMINDED,
    WAITLIST_CONFIRMED,
    WAITLIST_DECLINED,
    WAITLIST_EXPIRED,
    WAITLIST_WITHDRAWN,
    WAITLIST_CANCELLED,
    WAITLIST_REPRIORITIZED,
    BULK_OPERATION_CREATED,
    BULK_OPERATION_VALIDATED,
    BULK_OPERATION_CONFIRMED,
    BULK_OPERATION_PROGRESSED,
    BULK_OPERATION_COMPLETED,
    BULK_OPERATION_FAILED,
    BULK_OPERATION_ROLLED_BACK,
    BULK_OPERATION_CANCELLED,
]

# --- operations ----------------------------------------------------------------------------------

_P_CREATE, _P_READ, _P_UPDATE, _P_DELETE = (
    Permission("participant", a) for a in ("create", "read", "update", "delete")
)
_BLACKLIST = Permission("blacklist", "manage")
_REVIEW = Permission("duplicates", "review")
_WAITLIST = Permission("waitlist", "manage")
_BULK = Permission("bulk-operations", "execute")
_NOT_FOUND = (ErrorCode.NOT_FOUND,)
_WRITE_ERRORS = (ErrorCode.NOT_FOUND, ErrorCode.CONFLICT, ErrorCode.VALIDATION_ERROR, ErrorCode.BAD_REQUEST)
_UPDATE_ERRORS = (*_WRITE_ERRORS, ErrorCode.PRECONDITION_FAILED)
_STATE_ERRORS = (ErrorCode.NOT_FOUND, ErrorCode.BAD_REQUEST, ErrorCode.CONFLICT)
_WAITING = {"flag": FlagKey.WAITLIST, "permission": _WAITLIST}
_BULKY = {"flag": FlagKey.BULK_OPERATIONS, "permission": _BULK}


_PARTICIPANTS = "/events/{eventId}/participants"

REGISTER_PARTICIPANT = _cmd(
    "register_participant", RegisterParticipant, Participant,
    "Register a participant: extras checked, screened (blacklist blocks; a likely duplicate is flagged), "
    "then `participant.registered` enters the workflow. A block is 409 with the matches in `details`.",
    errors=_WRITE_ERRORS, permission=_P_CREATE,
    http=_route("POST", _PARTICIPANTS, "Register a participant", "participants", 201),
)  # fmt: skip
SCREEN_PARTICIPANT = _qry(
    "screen_participant", ScreenParticipant, Screening, "What screening would say of a registration; nothing stored.",
    errors=_WRITE_ERRORS, permission=_P_CREATE,
    http=_route("POST", _PARTICIPANTS + "/screen", "Screen a registration", "participants"),
)  # fmt: skip
LIST_PARTICIPANTS = _qry(
    "list_participants", ListParticipants, ParticipantPage, "An event's participants, by status, type or text.",
    errors=_NOT_FOUND, permission=_P_READ, http=_route("GET", _PARTICIPANTS, "List participants", "participants"),
)  # fmt: skip
GET_PARTICIPANT = _qry(
    "get_participant", ParticipantRef, Participant, "One participant.",
    errors=_NOT_FOUND, permission=_P_READ,
    http=_route("GET", _PARTICIPANTS + "/{id}", "Get a participant", "participants"),
)  # fmt: skip
UPDATE_PARTICIPANT = _cmd(
    "update_participant", UpdateParticipant, Participant, "Change a participant (partial; If-Match).",
    errors=_UPDATE_ERRORS, permission=_P_UPDATE,
    http=_route("PATCH", _PARTICIPANTS + "/{id}", "Update a participant", "participants"),
)  # fmt: skip
DELETE_PARTICIPANT = _cmd(
    "delete_participant", ParticipantRef, ParticipantRef, "Soft-delete a participant; its slot is freed.",
    errors=_NOT_FOUND, permission=_P_DELETE,
    http=_route("DELETE", _PARTICIPANTS + "/{id}", "Delete a participant", "participants", 204),
)  # fmt: skip

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
MERGE_PARTICIPANTS = _cmd(
    "merge_participants", MergeParticipants, MergeResult,
    "Merge a duplicate into a survivor in one transaction; `participant.merged` re-points other services' rows.",
    errors=_STATE_ERRORS, permission=_REVIEW,
    http=_route("POST", "/participants/merge", "Merge two participants", "screening"),
)  # fmt: skip
LIST_MERGE_HISTORY = _qry(
    "list_merge_history", ListMergeHistory, MergePage, "Merges, latest first.",
    permission=_REVIEW, http=_route("GET", "/merge-history", "List merges", "screening"),
)  # fmt: skip

_WAITLIST_PATH = "/events/{eventId}/waitlist"
ADD_TO_WAITLIST = _cmd(
    "add_to_waitlist", AddToWaitlist, WaitlistEntry,
    "Put a person on the waitlist (409 while they already wait; a withdrawn or expired entry is reactivated).",
    errors=_WRITE_ERRORS, **_WAITING, http=_route("POST", _WAITLIST_PATH, "Join the waitlist", "waitlist", 201),
)  # fmt: skip
LIST_WAITLIST = _qry(
    "list_waitlist", ListWaitlist, WaitlistPage, "The event's waitlist in queue order (VIP, HIGH, STANDARD; FIFO).",
    errors=_NOT_FOUND, **_WAITING, http=_route("GET", _WAITLIST_PATH, "List the waitlist", "waitlist"),
)  # fmt: skip
WAITLIST_STATS = _qry(
    "waitlist_stats", WaitlistStatsQuery, WaitlistStats, "Counts per status, mean wait and success rate.",
    errors=_NOT_FOUND, **_WAITING, http=_route("GET", _WAITLIST_PATH + "/stats", "Waitlist statistics", "waitlist"),
)  # fmt: skip
PROMOTE_FROM_WAITLIST = _cmd(
    "promote_from_waitlist", PromoteFromWaitlist, Promotions,
    "Offer slots to the first waiting people without a live offer (48 h to confirm).",
    errors=_WRITE_ERRORS, **_WAITING, http=_route("POST", _WAITLIST_PATH + "/promote", "Offer slots", "waitlist"),
)  # fmt: skip
GET_WAITLIST_ENTRY = _qry(
    "get_waitlist_entry", WaitlistRef, WaitlistEntry, "One entry with its position and latest offer.",
    errors=_NOT_FOUND, **_WAITING, http=_route("GET", "/waitlist/{id}", "Get a waitlist entry", "waitlist"),
)  # fmt: skip
UPDATE_WAITLIST_PRIORITY = _cmd(
    "update_waitlist_priority", UpdateWaitlistPriority, WaitlistEntry, "Move an entry to another priority tier.",
    errors=_STATE_ERRORS, **_WAITING, http=_route("PATCH", "/waitlist/{id}", "Change priority", "waitlist"),
)  # fmt: skip
WITHDRAW_FROM_WAITLIST = _cmd(
    "withdraw_from_waitlist", WaitlistRef, WaitlistEntry, "The person leaves the waitlist (ACTIVE → WITHDRAWN).",
    errors=_STATE_ERRORS, **_WAITING, http=_route("POST", "/waitlist/{id}/withdraw", "Withdraw", "waitlist"),
)  # fmt: skip
CANCEL_WAITLIST_ENTRY = _cmd(
    "cancel_waitlist_entry", WaitlistRef, WaitlistEntry, "An admin removes the entry (ACTIVE → CANCELLED).",
    errors=_STATE_ERRORS, **_WAITING, http=_route("POST", "/waitlist/{id}/cancel", "Remove from waitlist", "waitlist"),
)  # fmt: skip
CONFIRM_WAITLIST_OFFER = _cmd(
    "confirm_waitlist_offer", WaitlistRef, Confirmation,
    "Take the offer before its deadline: the person registers (screened) and enters the workflow.",
    errors=_STATE_ERRORS, **_WAITING,
    http=_route("POST", "/waitlist/{id}/confirm", "Confirm an offer", "waitlist"),
)  # fmt: skip
DECLINE_WAITLIST_OFFER = _cmd(
    "decline_waitlist_offer", WaitlistRef, WaitlistEntry, "Decline the offer; the slot goes to the next person.",
    errors=_STATE_ERRORS, **_WAITING, http=_route("POST", "/waitlist/{id}/decline", "Decline an offer", "waitlist"),
)  # fmt: skip

CREATE_IMPORT = _cmd(
    "create_import", CreateImport, BulkOperation,
    "Upload a CSV or XLSX of participants (the request body; `fileName` in the query) for validation.",
    errors=_WRITE_ERRORS, **_BULKY,
    http=_route("POST", "/events/{eventId}/imports", "Upload an import", "bulk", 201, upload="file"),
)  # fmt: skip
VALIDATE_IMPORT = _cmd(
    "validate_import", ValidateImport, ImportPreview,
    "Map columns (given or suggested), check every row (errors and warnings), and preview the first 20.",
    errors=(*_STATE_ERRORS, ErrorCode.VALIDATION_ERROR), **_BULKY, timeout_seconds=180.0,
    http=_route("POST", "/bulk-operations/{id}/validate", "Validate an import", "bulk"),
)  # fmt: skip
CONFIRM_IMPORT = _cmd(
    "confirm_import", BulkOperationRef, BulkOperation,
    "Run a previewed import in the background, resumably; follow it with GET or `bulk_operation.progressed`.",
    errors=_STATE_ERRORS, **_BULKY, http=_route("POST", "/bulk-operations/{id}/confirm", "Run an import", "bulk"),
)  # fmt: skip
CANCEL_IMPORT = _cmd(
    "cancel_import", BulkOperationRef, BulkOperationRef,
    "Cancel an import: one not yet run is dropped; a running one stops after its chunk in flight and ends CANCELLED.",
    errors=_STATE_ERRORS, **_BULKY,
    http=_route("POST", "/bulk-operations/{id}/cancel", "Cancel an import", "bulk", 204),
)  # fmt: skip
UNDO_BULK_OPERATION = _cmd(
    "undo_bulk_operation", BulkOperationRef, BulkOperation,
    "Within 24 h of completion, delete what an import created (participants changed since are kept).",
    errors=_STATE_ERRORS, **_BULKY, timeout_seconds=120.0,
    http=_route("POST", "/bulk-operations/{id}/undo", "Undo an import", "bulk"),
)  # fmt: skip
GET_BULK_OPERATION = _qry(
    "get_bulk_operation", BulkOperationRef, BulkOperation, "One bulk operation with its progress.",
    errors=_NOT_FOUND, **_BULKY, http=_route("GET", "/bulk-operations/{id}", "Get a bulk operation", "bulk"),
)  # fmt: skip
LIST_BULK_OPERATIONS = _qry(
    "list_bulk_operations", ListBulkOperations, BulkOperationPage, "An event's imports and exports.",
    errors=_NOT_FOUND, **_BULKY,
    http=_route("GET", "/events/{eventId}/bulk-operations", "List bulk operations", "bulk"),
)  # fmt: skip
LIST_BULK_ITEMS = _qry(
    "list_bulk_items", ListBulkItems, BulkItemPage, "An import's rows with their status and messages.",
    errors=_NOT_FOUND, **_BULKY, http=_route("GET", "/bulk-operations/{id}/items", "List import rows", "bulk"),
)  # fmt: skip
EXPORT_PARTICIPANTS = _cmd(
    "export_participants", ExportParticipants, BulkOperation,
    "Write the event's participants to a CSV (UTF-8 BOM; fixed then dynamic columns) behind `downloadUrl`.",
    errors=_WRITE_ERRORS, **_BULKY, timeout_seconds=120.0,
    http=_route("POST", "/events/{eventId}/exports", "Export participants", "bulk", 201),
)  # fmt: skip
DOWNLOAD_BULK_FILE = _qry(
    "download_bulk_file", BulkOperationRef, StoredFile, "An export's file (or an import's upload), as a download.",
    errors=_NOT_FOUND, **_BULKY,
    http=_route("GET", "/bulk-operations/{id}/file", "Download the file", "bulk", download=True),
)  # fmt: skip

OPERATIONS = [
    REGISTER_PARTICIPANT,
    SCREEN_PARTICIPANT,
    LIST_PARTICIPANTS,
    GET_PARTICIPANT,
    UPDATE_PARTICIPANT,
    DELETE_PARTICIPANT,
    CREATE_BLACKLIST_ENTRY,
    LIST_BLACKLIST,
    GET_BLACKLIST_ENTRY,
    UPDATE_BLACKLIST_ENTRY,
    DELETE_BLACKLIST_ENTRY,
    LIST_DUPLICATES,
    REVIEW_DUPLICATE,
    MERGE_PARTICIPANTS,
    LIST_MERGE_HISTORY,
    ADD_TO_WAITLIST,
    LIST_WAITLIST,
    WAITLIST_STATS,
    PROMOTE_FROM_WAITLIST,
    GET_WAITLIST_ENTRY,
    UPDATE_WAITLIST_PRIORITY,
    WITHDRAW_FROM_WAITLIST,
    CANCEL_WAITLIST_ENTRY,
    CONFIRM_WAITLIST_OFFER,
    DECLINE_WAITLIST_OFFER,
    CREATE_IMPORT,
    VALIDATE_IMPORT,
    CONFIRM_IMPORT,
    CANCEL_IMPORT,
    UNDO_BULK_OPERATION,
    GET_BULK_OPERATION,
    LIST_BULK_OPERATIONS,
    LIST_BULK_ITEMS,
    EXPORT_PARTICIPANTS,
    DOWNLOAD_BULK_FILE,
]
