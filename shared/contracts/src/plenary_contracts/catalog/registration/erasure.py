"""registration: erasing a person everywhere, a saga registration orchestrates.

``ERASE_PARTICIPANT`` answers 202 at once with the report (IN_PROGRESS); every service in ``ERASE_ORDER``
then erases what it holds about the participant (``saga_parts.ERASE_PERSON``) and answers with a receipt;
once every receipt is in, registration anonymises its own records last (the e-mail the other parts look
things up by stays until then), destroys the person's key (what the event streams hold of them becomes
unreadable) and the report ends COMPLETED. The report is kept: ids, receipts, statuses and times, never a
name or an address. Erasing again answers the same report.
"""

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from ...errors import ErrorCode
from ...fields import Id
from ...listing import ListQuery, Page
from ...model import Model
from ...permissions import Permission
from ...saga_parts import ErasureReceipt
from ._common import _NOT_FOUND, _cmd, _event, _qry, _route

_ERASE = Permission("privacy", "erase")
# Erasing also needs participant:delete, which the handler checks with the participant's event.
ERASE_ALSO_REQUIRES = Permission("participant", "delete")


class ErasureStatus(StrEnum):
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"


class EraseParticipant(Model):
    id: Id = Field(description="The participant.")


class ErasureReport(Model):
    id: str
    participant_id: str
    event_id: str
    status: ErasureStatus
    receipts: list[ErasureReceipt] = Field(
        default_factory=list, description="One per service that answered, registration's own last."
    )
    requested_by: str
    started_at: datetime
    completed_at: datetime | None = None


class ErasureRef(Model):
    id: Id


class ListErasures(ListQuery):
    sort: str = Field("startedAt:desc", pattern=r"^[A-Za-z][A-Za-z0-9_]*:(asc|desc)$")
    participant_id: Id | None = None


class ErasurePage(Page[ErasureReport]):
    pass


class ErasureChanged(Model):
    erasure: ErasureReport


class ParticipantErased(Model):
    """Ids only: the person's data is gone."""

    participant_id: str
    event_id: str
    erasure_id: str


# --- domain events -------------------------------------------------------------------------------

ERASURE_STARTED = _event("erasure", "started", ErasureChanged, "A person's erasure was asked for; parts follow.")
ERASURE_COMPLETED = _event("erasure", "completed", ErasureChanged, "Every service erased the person; the report.")
PARTICIPANT_ERASED = _event(
    "participant", "erased", ParticipantErased, "A participant's personal data was erased everywhere (ids only)."
)

# --- operations ----------------------------------------------------------------------------------

ERASE_PARTICIPANT = _cmd(
    "erase_participant", EraseParticipant, ErasureReport,
    "Erase a person everywhere (also needs participant:delete); 202 with the report, which the services' "
    "receipts fill. Erasing again answers the same report.",
    errors=(ErrorCode.NOT_FOUND,), permission=_ERASE,
    http=_route("POST", "/participants/{id}/erase", "Erase a participant", "privacy", 202),
)  # fmt: skip
GET_ERASURE = _qry(
    "get_erasure", ErasureRef, ErasureReport, "An erasure report with its receipts.",
    errors=_NOT_FOUND, permission=_ERASE, http=_route("GET", "/erasures/{id}", "Get an erasure report", "privacy"),
)  # fmt: skip
LIST_ERASURES = _qry(
    "list_erasures", ListErasures, ErasurePage, "Erasure reports, newest first; of one participant when asked.",
    permission=_ERASE, http=_route("GET", "/erasures", "List erasure reports", "privacy"),
)  # fmt: skip
