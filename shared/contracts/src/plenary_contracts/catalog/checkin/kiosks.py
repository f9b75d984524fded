"""checkin: self-service kiosks, their heartbeat, and what a visitor does at one.

A kiosk is paired like a scanner: registering it returns its device key once (an API key limited to the
kiosk's event). The ``/kiosk/...`` routes are called by the kiosk itself with that key; the tenant and event
come from the device, never from the request.
"""

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from ...enums import KioskLanguage, KioskMode, KioskSessionType, ParticipantStatus
from ...fields import Id, Name
from ...listing import ListQuery, Page
from ...model import Model
from ._common import _AT_KIOSK, _KIOSKS, _NOT_FOUND, _STATE_ERRORS, _WRITE_ERRORS, Location, _cmd, _event, _qry, _route
from .badges import NoRequest
from .queue import QueueTicket
from .scans import Payload, RegistrationCode, ScanOutcome

HEARTBEAT_SECONDS = 30
OFFLINE_AFTER_SECONDS = 180
IDLE_TIMEOUT_SECONDS = 120


class Kiosk(Model):
    id: str
    tenant_id: str
    event_id: str
    name: str
    location: str
    is_online: bool
    last_heartbeat: datetime
    language: KioskLanguage
    mode: KioskMode
    key_prefix: str | None = None
    created_at: datetime
    updated_at: datetime


class RegisterKiosk(Model):
    event_id: Id
    name: Annotated[Name, Field(max_length=100)]
    location: Annotated[Location, Field(min_length=1)]
    language: KioskLanguage = KioskLanguage.EN
    mode: KioskMode = KioskMode.SELF_SERVICE


class RegisteredKiosk(Model):
    kiosk: Kiosk
    device_key: str = Field(description="Shown once: the kiosk sends it as `X-API-Key`.")


class UpdateKiosk(Model):
    id: Id
    name: Annotated[Name, Field(max_length=100)] | None = None
    location: Annotated[Location, Field(min_length=1)] | None = None
    language: KioskLanguage | None = None
    mode: KioskMode | None = None


class KioskRef(Model):
    id: Id


class ListKiosks(ListQuery):
    event_id: Id
    is_online: bool | None = None


class KioskPage(Page[Kiosk]):
    pass


class KioskStatsQuery(Model):
    event_id: Id


class KioskStats(Model):
    total_sessions: int
    avg_duration_seconds: float = Field(description="Ended sessions' total duration over all sessions.")
    sessions_by_type: dict[str, int]
    timed_out_count: int


class KioskLookup(Model):
    email: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=320)] | None = Field(
        None, description="Case-insensitive."
    )
    registration_code: RegistrationCode | None = None


class ParticipantCard(Model):
    id: str
    first_name: str
    last_name: str
    registration_code: str
    status: ParticipantStatus


class KioskCheckIn(Model):
    """Check in at the event's first active checkpoint, by badge or by registration code."""

    payload: Payload | None = None
    registration_code: RegistrationCode | None = None


class KioskJoinQueue(Model):
    participant_id: Id
    priority: int = Field(0, ge=0, le=100)


class StartKioskSession(Model):
    session_type: KioskSessionType
    language: KioskLanguage | None = None
    participant_id: Id | None = None


class EndKioskSession(Model):
    id: Id
    timed_out: bool = False
    metadata: dict[str, Any] | None = None


class KioskSession(Model):
    id: str
    device_id: str
    participant_id: str | None = None
    session_type: KioskSessionType
    language: KioskLanguage
    started_at: datetime
    ended_at: datetime | None = None
    timed_out: bool
    metadata: dict[str, Any] | None = None


class KioskChanged(Model):
    kiosk: Kiosk


# --- domain events -------------------------------------------------------------------------------

KIOSK_REGISTERED = _event("kiosk_device", "registered", KioskChanged, "A kiosk was registered and paired.")
KIOSK_UPDATED = _event("kiosk_device", "updated", KioskChanged, "A kiosk's details changed.")
KIOSK_DECOMMISSIONED = _event("kiosk_device", "decommissioned", KioskChanged, "A kiosk was removed; its key revoked.")
KIOSK_OFFLINE = _event("kiosk_device", "offline", KioskChanged, "A kiosk missed its heartbeats for 3 minutes.")

# --- operations: staff ---------------------------------------------------------------------------

REGISTER_KIOSK = _cmd(
    "register_kiosk", RegisterKiosk, RegisteredKiosk, "Register a kiosk at an event: its key is returned once.",
    errors=_WRITE_ERRORS, **_KIOSKS, shown_once=("deviceKey",),
    http=_route("POST", "/events/{eventId}/kiosks", "Register a kiosk", "kiosks", 201),
)  # fmt: skip
LIST_KIOSKS = _qry(
    "list_kiosks", ListKiosks, KioskPage, "An event's kiosks.",
    errors=_NOT_FOUND, **_KIOSKS, http=_route("GET", "/events/{eventId}/kiosks", "List kiosks", "kiosks"),
)  # fmt: skip
GET_KIOSK = _qry(
    "get_kiosk", KioskRef, Kiosk, "One kiosk.",
    errors=_NOT_FOUND, **_KIOSKS, http=_route("GET", "/kiosks/{id}", "Get a kiosk", "kiosks"),
)  # fmt: skip
UPDATE_KIOSK = _cmd(
    "update_kiosk", UpdateKiosk, Kiosk, "Change a kiosk's name, location, language or mode.",
    errors=_WRITE_ERRORS, **_KIOSKS, http=_route("PATCH", "/kiosks/{id}", "Update a kiosk", "kiosks"),
)  # fmt: skip
DECOMMISSION_KIOSK = _cmd(
    "decommission_kiosk", KioskRef, Kiosk, "Remove a kiosk with its sessions; its key stops working.",
    errors=_NOT_FOUND, **_KIOSKS, http=_route("DELETE", "/kiosks/{id}", "Decommission a kiosk", "kiosks"),
)  # fmt: skip
KIOSK_STATS = _qry(
    "kiosk_stats", KioskStatsQuery, KioskStats, "Session counts, mean duration and time-outs of an event's kiosks.",
    errors=_NOT_FOUND, **_KIOSKS, http=_route("GET", "/events/{eventId}/kiosks/stats", "Kiosk session stats", "kiosks"),
)  # fmt: skip

# --- operations: the kiosk itself ----------------------------------------------------------------

KIOSK_HEARTBEAT = _cmd(
    "kiosk_heartbeat", NoRequest, Kiosk, "The kiosk is alive (every 30 s; offline after 3 min without).",
    errors=_STATE_ERRORS, **_AT_KIOSK, http=_route("POST", "/kiosk/heartbeat", "Kiosk heartbeat", "kiosk"),
)  # fmt: skip
KIOSK_LOOKUP = _qry(
    "kiosk_lookup", KioskLookup, ParticipantCard, "Find a participant of the kiosk's event by e-mail or code.",
    errors=(*_STATE_ERRORS, ), **_AT_KIOSK, http=_route("POST", "/kiosk/lookup", "Look a participant up", "kiosk"),
)  # fmt: skip
KIOSK_CHECK_IN = _cmd(
    "kiosk_check_in", KioskCheckIn, ScanOutcome, "Check in at the event's first active checkpoint (400 if none).",
    errors=_STATE_ERRORS, **_AT_KIOSK, http=_route("POST", "/kiosk/check-in", "Check in at a kiosk", "kiosk"),
)  # fmt: skip
KIOSK_JOIN_QUEUE = _cmd(
    "kiosk_join_queue", KioskJoinQueue, QueueTicket, "Take a queue ticket for a participant of the kiosk's event.",
    errors=_STATE_ERRORS, **_AT_KIOSK, http=_route("POST", "/kiosk/queue", "Join the queue at a kiosk", "kiosk", 201),
)  # fmt: skip
START_KIOSK_SESSION = _cmd(
    "start_kiosk_session", StartKioskSession, KioskSession, "A visitor starts using the kiosk.",
    errors=_STATE_ERRORS, **_AT_KIOSK, http=_route("POST", "/kiosk/sessions", "Start a kiosk session", "kiosk", 201),
)  # fmt: skip
END_KIOSK_SESSION = _cmd(
    "end_kiosk_session", EndKioskSession, KioskSession, "End a session (timedOut after 120 s idle).",
    errors=_STATE_ERRORS, **_AT_KIOSK,
    http=_route("POST", "/kiosk/sessions/{id}/end", "End a kiosk session", "kiosk"),
)  # fmt: skip
