"""events: events, participant types, field definitions, series and editions (requirements.md §1 Core
domain, P4-01 events endpoints, the series part of P4-10). Cloning comes later and reuses these."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, model_validator

from ..enums import EventStatus, FieldDataType, WorkflowStatus
from ..errors import ErrorCode
from ..fields import AwareDatetime, Id, Name
from ..flags import FlagKey
from ..listing import ListQuery, Page
from ..model import Model
from ..permissions import Permission
from ..specs import Specs, route

SERVICE = "events"
_SPECS = Specs(SERVICE)
_event, _cmd, _qry = _SPECS.event, _SPECS.command, _SPECS.query
_route = route

Description = Annotated[str, StringConstraints(max_length=5000)]
FieldName = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z][A-Za-z0-9_]*$")]
Timezone = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Text = Annotated[str, StringConstraints(max_length=2000)]

# --- events --------------------------------------------------------------------------------------


class ParticipantType(Model):
    id: str
    tenant_id: str
    event_id: str
    name: str
    code: str
    description: str | None = None
    created_at: datetime
    updated_at: datetime


class WorkflowSummary(Model):
    """A workflow of the event, as events keeps it from workflow's events (for ``expand=workflows``)."""

    id: str
    name: str
    status: WorkflowStatus
    participant_type_id: str | None = None


class Event(Model):
    id: str
    tenant_id: str
    name: str
    description: str
    status: EventStatus
    start_date: datetime
    end_date: datetime
    timezone: str
    extras: dict[str, Any] = Field(default_factory=dict)
    participant_types: list[ParticipantType] | None = Field(None, description="With `expand=participantTypes`.")
    workflows: list[WorkflowSummary] | None = Field(None, description="With `expand=workflows`.")
    created_at: datetime
    updated_at: datetime


def _dates_in_order(start: datetime | None, end: datetime | None) -> None:
    if start is not None and end is not None and end < start:
        raise ValueError("endDate must not be before startDate")


class CreateEvent(Model):
    name: Name
    description: Description = ""
    start_date: AwareDatetime
    end_date: AwareDatetime
    timezone: Timezone = Field("UTC", description="IANA name; the event's days (queue numbers, scans) use it.")
    status: EventStatus = EventStatus.DRAFT
    extras: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _ordered(self) -> "CreateEvent":
        _dates_in_order(self.start_date, self.end_date)
        return self


class UpdateEvent(Model):
    """A partial update guarded by ``If-Match``; fields left out keep their value."""

    id: Id
    name: Name | None = None
    description: Description | None = None
    start_date: AwareDatetime | None = None
    end_date: AwareDatetime | None = None
    timezone: Timezone | None = None
    status: EventStatus | None = None
    extras: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _ordered(self) -> "UpdateEvent":
        _dates_in_order(self.start_date, self.end_date)
        return self


class EventRef(Model):
    id: Id


class GetEvent(Model):
    id: Id
    expand: (
        Annotated[str, StringConstraints(pattern=r"^(participantTypes|workflows)(,(participantTypes|workflows))*$")]
        | None
    ) = Field(None, description="`participantTypes`, `workflows`, or both, comma-separated.")


class ListEvents(ListQuery):
    status: EventStatus | None = None
    q: Annotated[str, StringConstraints(max_length=200)] | None = Field(None, description="Name contains.")


class EventPage(Page[Event]):
    pass


class CreateParticipantType(Model):
    event_id: Id
    name: Name
    code: Code
    description: Text | None = None


class UpdateParticipantType(Model):
    event_id: Id
    id: Id
    name: Name | None = None
    code: Code | None = None
    description: Text | None = None


class ParticipantTypeRef(Model):
    event_id: Id
    id: Id


class ListParticipantTypes(ListQuery):
    event_id: Id


class ParticipantTypePage(Page[ParticipantType]):
    pass


# --- field definitions ---------------------------------------------------------------------------


class ValidationRule(Model):
    """One typed rule on a field's value; which rules suit which data type is checked by the service."""

    rule: Literal["min", "max", "minLength", "maxLength", "pattern", "minDate", "maxDate", "minItems", "maxItems"]
    value: int | float | str
    message: Text | None = None


class EnumOption(Model):
    value: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    label: Annotated[str, StringConstraints(max_length=200)] | None = None


class FieldConfig(Model):
    """The field's ``config``: ENUM/MULTI_ENUM options, REFERENCE target, FORMULA; other keys are kept."""

    model_config = {"extra": "allow"}

    options: list[EnumOption] | None = None
    reference_entity: Annotated[str, StringConstraints(max_length=100)] | None = None
    formula: Annotated[str, StringConstraints(max_length=2000)] | None = None


EntityType = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z][A-Za-z0-9_]*$")]


class FieldDefinition(Model):
    id: str
    tenant_id: str
    event_id: str | None = Field(None, description="None: a global field, in every event of the tenant.")
    entity_type: str
    name: str
    label: str
    description: str | None = None
    data_type: FieldDataType
    sort_order: int
    is_required: bool
    is_unique: bool
    is_searchable: bool
    is_filterable: bool
    default_value: str | None = None
    config: FieldConfig = Field(default_factory=FieldConfig)
    validation: list[ValidationRule] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime


class CreateFieldDefinition(Model):
    event_id: Id | None = Field(None, description="Leave out for a global field.")
    entity_type: EntityType = "Participant"
    name: FieldName
    label: Name
    description: Text | None = None
    data_type: FieldDataType
    sort_order: Annotated[int, Field(ge=0, le=100_000)] = 0
    is_required: bool = False
    is_unique: bool = False
    is_searchable: bool = False
    is_filterable: bool = False
    default_value: Text | None = None
    config: FieldConfig = Field(default_factory=FieldConfig)
    validation: list[ValidationRule] = Field(default_factory=list, max_length=20)


class UpdateFieldDefinition(Model):
    """Name, entity and data type stay: values already stored depend on them."""

    id: Id
    label: Name | None = None
    description: Text | None = None
    sort_order: Annotated[int, Field(ge=0, le=100_000)] | None = None
    is_required: bool | None = None
    is_unique: bool | None = None
    is_searchable: bool | None = None
    is_filterable: bool | None = None
    default_value: Text | None = None
    config: FieldConfig | None = None
    validation: list[ValidationRule] | None = Field(None, max_length=20)


class FieldDefinitionRef(Model):
    id: Id


class ListFieldDefinitions(ListQuery):
    event_id: Id | None = Field(None, description="With `effective`, the event's fields plus the global ones.")
    entity_type: EntityType = "Participant"
    scope: Literal["effective", "event", "global"] = Field(
        "effective", description="effective = global + the event's; event = the event's only; global = globals."
    )
    sort: str = Field("sortOrder:asc", pattern=r"^[A-Za-z][A-Za-z0-9_]*:(asc|desc)$")


class FieldDefinitionPage(Page[FieldDefinition]):
    pass


# --- series and editions -------------------------------------------------------------------------


class Edition(Model):
    id: str
    series_id: str
    event_id: str
    edition_number: int
    year: int
    host_country: str | None = None
    host_city: str | None = None
    notes: str | None = None
    created_at: datetime
    updated_at: datetime


class Series(Model):
    id: str
    tenant_id: str
    name: str
    description: str | None = None
    edition_count: int = 0
    editions: list[Edition] | None = Field(None, description="By edition number; only when reading one series.")
    created_at: datetime
    updated_at: datetime


class CreateSeries(Model):
    name: Name
    description: Text | None = None


class UpdateSeries(Model):
    id: Id
    name: Name | None = None
    description: Text | None = None


class SeriesRef(Model):
    id: Id


class ListSeries(ListQuery):
    pass


class SeriesPage(Page[Series]):
    pass


EditionNumber = Annotated[int, Field(ge=1, le=10_000)]
Year = Annotated[int, Field(ge=1900, le=2100)]
Place = Annotated[str, StringConstraints(max_length=200)]


class AddEdition(Model):
    series_id: Id
    event_id: Id
    edition_number: EditionNumber
    year: Year
    host_country: Place | None = None
    host_city: Place | None = None
    notes: Text | None = None


class UpdateEdition(Model):
    series_id: Id
    id: Id
    edition_number: EditionNumber | None = None
    year: Year | None = None
    host_country: Place | None = None
    host_city: Place | None = None
    notes: Text | None = None


class EditionRef(Model):
    series_id: Id
    id: Id


# --- what other services read --------------------------------------------------------------------


class EventSchema(Model):
    """An event with its participant types and effective participant fields: registration's read model."""

    event: Event
    participant_types: list[ParticipantType]
    field_definitions: list[FieldDefinition]


class EventSchemaRef(Model):
    event_id: Id


# --- events --------------------------------------------------------------------------------------


class EventChanged(Model):
    event: Event


class EventDeleted(Model):
    event_id: str


class ParticipantTypeChanged(Model):
    participant_type: ParticipantType


class FieldDefinitionChanged(Model):
    field_definition: FieldDefinition


class SeriesChanged(Model):
    series: Series


class EditionChanged(Model):
    edition: Edition


EVENT_CREATED = _event("event", "created", EventChanged, "An event was created.")
EVENT_UPDATED = _event("event", "updated", EventChanged, "An event's details or status changed.")
EVENT_DELETED = _event(
    "event", "deleted", EventDeleted, "An event was deleted; its workflows, participants and the rest go."
)
PARTICIPANT_TYPE_CREATED = _event("participant_type", "created", ParticipantTypeChanged, "A participant type.")
PARTICIPANT_TYPE_UPDATED = _event("participant_type", "updated", ParticipantTypeChanged, "A type changed.")
PARTICIPANT_TYPE_DELETED = _event("participant_type", "deleted", ParticipantTypeChanged, "A type was removed.")
FIELD_DEFINITION_CREATED = _event("field_definition", "created", FieldDefinitionChanged, "A dynamic field.")
FIELD_DEFINITION_UPDATED = _event("field_definition", "updated", FieldDefinitionChanged, "A field changed.")
FIELD_DEFINITION_DELETED = _event("field_definition", "deleted", FieldDefinitionChanged, "A field was removed.")
SERIES_CREATED = _event("series", "created", SeriesChanged, "An event series was created.")
SERIES_UPDATED = _event("series", "updated", SeriesChanged, "An event series changed.")
SERIES_DELETED = _event("series", "deleted", SeriesChanged, "An event series was deleted.")
EDITION_ADDED = _event("edition", "added", EditionChanged, "An event became an edition of a series.")
EDITION_UPDATED = _event("edition", "updated", EditionChanged, "An edition changed.")
EDITION_REMOVED = _event("edition", "removed", EditionChanged, "An event left its series.")

EVENTS = [
    EVENT_CREATED,
    EVENT_UPDATED,
    EVENT_DELETED,
    PARTICIPANT_TYPE_CREATED,
    PARTICIPANT_TYPE_UPDATED,
    PARTICIPANT_TYPE_DELETED,
    FIELD_DEFINITION_CREATED,
    FIELD_DEFINITION_UPDATED,
    FIELD_DEFINITION_DELETED,
    SERIES_CREATED,
    SERIES_UPDATED,
    SERIES_DELETED,
    EDITION_ADDED,
    EDITION_UPDATED,
    EDITION_REMOVED,
]

# --- operations ----------------------------------------------------------------------------------

_EVENT_CREATE, _EVENT_READ, _EVENT_UPDATE, _EVENT_DELETE = (
    Permission("event", a) for a in ("create", "read", "update", "delete")
)
_FIELD_CREATE, _FIELD_READ, _FIELD_UPDATE, _FIELD_DELETE = (
    Permission("field", a) for a in ("create", "read", "update", "delete")
)
# P4-10: series live with cloning, under its permission and flag
_SERIES = {"permission": Permission("event-clone", "execute"), "flag": FlagKey.EVENT_CLONE}
_NOT_FOUND = (ErrorCode.NOT_FOUND,)
_WRITE_ERRORS = (ErrorCode.NOT_FOUND, ErrorCode.CONFLICT, ErrorCode.VALIDATION_ERROR, ErrorCode.BAD_REQUEST)
_UPDATE_ERRORS = (*_WRITE_ERRORS, ErrorCode.PRECONDITION_FAILED)


CREATE_EVENT = _cmd(
    "create_event", CreateEvent, Event, "Create an event (DRAFT unless a status is given).",
    errors=_WRITE_ERRORS, permission=_EVENT_CREATE, http=_route("POST", "/events", "Create an event", "events", 201),
)  # fmt: skip
LIST_EVENTS = _qry(
    "list_events", ListEvents, EventPage, "The tenant's events, by status or name.",
    permission=_EVENT_READ, http=_route("GET", "/events", "List events", "events"),
)  # fmt: skip
GET_EVENT = _qry(
    "get_event", GetEvent, Event, "One event, optionally with its participant types and workflows.",
    errors=_NOT_FOUND, permission=_EVENT_READ, http=_route("GET", "/events/{id}", "Get an event", "events"),
)  # fmt: skip
UPDATE_EVENT = _cmd(
    "update_event", UpdateEvent, Event, "Change an event (partial; If-Match).",
    errors=_UPDATE_ERRORS, permission=_EVENT_UPDATE,
    http=_route("PATCH", "/events/{id}", "Update an event", "events"),
)  # fmt: skip
DELETE_EVENT = _cmd(
    "delete_event", EventRef, EventRef, "Soft-delete an event; its workflows, participants and the rest follow.",
    errors=_NOT_FOUND, permission=_EVENT_DELETE,
    http=_route("DELETE", "/events/{id}", "Delete an event", "events", 204),
)  # fmt: skip
GET_EVENT_SCHEMA = _qry(
    "get_event_schema", EventSchemaRef, EventSchema,
    "An event with its participant types and effective fields (for services whose read model misses it).",
    errors=_NOT_FOUND, permission=_EVENT_READ,
)  # fmt: skip

CREATE_PARTICIPANT_TYPE = _cmd(
    "create_participant_type", CreateParticipantType, ParticipantType, "Add a participant type (code unique).",
    errors=_WRITE_ERRORS, permission=_EVENT_UPDATE,
    http=_route("POST", "/events/{eventId}/participant-types", "Create a participant type", "events", 201),
)  # fmt: skip
LIST_PARTICIPANT_TYPES = _qry(
    "list_participant_types", ListParticipantTypes, ParticipantTypePage, "An event's participant types.",
    errors=_NOT_FOUND, permission=_EVENT_READ,
    http=_route("GET", "/events/{eventId}/participant-types", "List participant types", "events"),
)  # fmt: skip
UPDATE_PARTICIPANT_TYPE = _cmd(
    "update_participant_type", UpdateParticipantType, ParticipantType, "Change a participant type (If-Match).",
    errors=_UPDATE_ERRORS, permission=_EVENT_UPDATE,
    http=_route("PATCH", "/events/{eventId}/participant-types/{id}", "Update a participant type", "events"),
)  # fmt: skip
DELETE_PARTICIPANT_TYPE = _cmd(
    "delete_participant_type", ParticipantTypeRef, ParticipantTypeRef,
    "Remove a participant type; participants already registered with it keep it.",
    errors=(ErrorCode.NOT_FOUND, ErrorCode.CONFLICT), permission=_EVENT_UPDATE,
    http=_route("DELETE", "/events/{eventId}/participant-types/{id}", "Delete a participant type", "events", 204),
)  # fmt: skip

CREATE_FIELD_DEFINITION = _cmd(
    "create_field_definition", CreateFieldDefinition, FieldDefinition,
    "Define a dynamic field, global or for one event (name unique per tenant, event and entity).",
    errors=_WRITE_ERRORS, permission=_FIELD_CREATE,
    http=_route("POST", "/field-definitions", "Create a field definition", "fields", 201),
)  # fmt: skip
LIST_FIELD_DEFINITIONS = _qry(
    "list_field_definitions", ListFieldDefinitions, FieldDefinitionPage, "Field definitions, by sort order.",
    permission=_FIELD_READ, http=_route("GET", "/field-definitions", "List field definitions", "fields"),
)  # fmt: skip
GET_FIELD_DEFINITION = _qry(
    "get_field_definition", FieldDefinitionRef, FieldDefinition, "One field definition.",
    errors=_NOT_FOUND, permission=_FIELD_READ,
    http=_route("GET", "/field-definitions/{id}", "Get a field definition", "fields"),
)  # fmt: skip
UPDATE_FIELD_DEFINITION = _cmd(
    "update_field_definition", UpdateFieldDefinition, FieldDefinition, "Change a field definition (If-Match).",
    errors=_UPDATE_ERRORS, permission=_FIELD_UPDATE,
    http=_route("PATCH", "/field-definitions/{id}", "Update a field definition", "fields"),
)  # fmt: skip
DELETE_FIELD_DEFINITION = _cmd(
    "delete_field_definition", FieldDefinitionRef, FieldDefinitionRef,
    "Remove a field definition; values already stored stay in participants' extras.",
    errors=_NOT_FOUND, permission=_FIELD_DELETE,
    http=_route("DELETE", "/field-definitions/{id}", "Delete a field definition", "fields", 204),
)  # fmt: skip

CREATE_SERIES = _cmd(
    "create_series", CreateSeries, Series, "Create an event series (name unique per tenant).",
    errors=_WRITE_ERRORS, **_SERIES, http=_route("POST", "/event-series", "Create a series", "series", 201),
)  # fmt: skip
LIST_SERIES = _qry(
    "list_series", ListSeries, SeriesPage, "The tenant's series with their edition counts.",
    **_SERIES, http=_route("GET", "/event-series", "List series", "series"),
)  # fmt: skip
GET_SERIES = _qry(
    "get_series", SeriesRef, Series, "A series with its editions.",
    errors=_NOT_FOUND, **_SERIES, http=_route("GET", "/event-series/{id}", "Get a series", "series"),
)  # fmt: skip
UPDATE_SERIES = _cmd(
    "update_series", UpdateSeries, Series, "Rename or describe a series (If-Match).",
    errors=_UPDATE_ERRORS, **_SERIES,
    http=_route("PATCH", "/event-series/{id}", "Update a series", "series"),
)  # fmt: skip
DELETE_SERIES = _cmd(
    "delete_series", SeriesRef, SeriesRef, "Delete a series; refused (400) while it has editions.",
    errors=(ErrorCode.NOT_FOUND, ErrorCode.BAD_REQUEST), **_SERIES,
    http=_route("DELETE", "/event-series/{id}", "Delete a series", "series", 204),
)  # fmt: skip
ADD_EDITION = _cmd(
    "add_edition", AddEdition, Edition, "Make an event an edition of a series (one series per event).",
    errors=_WRITE_ERRORS, **_SERIES,
    http=_route("POST", "/event-series/{seriesId}/editions", "Add an edition", "series", 201),
)  # fmt: skip
UPDATE_EDITION = _cmd(
    "update_edition", UpdateEdition, Edition, "Change an edition's number, year or place (If-Match).",
    errors=_UPDATE_ERRORS, **_SERIES,
    http=_route("PATCH", "/event-series/{seriesId}/editions/{id}", "Update an edition", "series"),
)  # fmt: skip
REMOVE_EDITION = _cmd(
    "remove_edition", EditionRef, EditionRef, "Take an event out of its series.",
    errors=_NOT_FOUND, **_SERIES,
    http=_route("DELETE", "/event-series/{seriesId}/editions/{id}", "Remove an edition", "series", 204),
)  # fmt: skip

OPERATIONS = [
    CREATE_EVENT,
    LIST_EVENTS,
    GET_EVENT,
    UPDATE_EVENT,
    DELETE_EVENT,
    GET_EVENT_SCHEMA,
    CREATE_PARTICIPANT_TYPE,
    LIST_PARTICIPANT_TYPES,
    UPDATE_PARTICIPANT_TYPE,
    DELETE_PARTICIPANT_TYPE,
    CREATE_FIELD_DEFINITION,
    LIST_FIELD_DEFINITIONS,
    GET_FIELD_DEFINITION,
    UPDATE_FIELD_DEFINITION,
    DELETE_FIELD_DEFINITION,
    CREATE_SERIES,
    LIST_SERIES,
    GET_SERIES,
    UPDATE_SERIES,
    DELETE_SERIES,
    ADD_EDITION,
    UPDATE_EDITION,
    REMOVE_EDITION,
]
