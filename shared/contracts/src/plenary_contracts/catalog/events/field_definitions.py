"""events: dynamic field definitions, global or per event, with their typed validation rules."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from ...enums import FieldDataType
from ...fields import Id, Name
from ...listing import ListQuery, Page
from ...model import Model
from ...permissions import Permission
from ._common import _NOT_FOUND, _UPDATE_ERRORS, _WRITE_ERRORS, Text, _cmd, _event, _qry, _route

FieldName = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z][A-Za-z0-9_]*$")]


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


class FieldDefinitionChanged(Model):
    field_definition: FieldDefinition


# --- domain events -------------------------------------------------------------------------------

FIELD_DEFINITION_CREATED = _event("field_definition", "created", FieldDefinitionChanged, "A dynamic field.")
FIELD_DEFINITION_UPDATED = _event("field_definition", "updated", FieldDefinitionChanged, "A field changed.")
FIELD_DEFINITION_DELETED = _event("field_definition", "deleted", FieldDefinitionChanged, "A field was removed.")
_FIELD_CREATE, _FIELD_READ, _FIELD_UPDATE, _FIELD_DELETE = (
    Permission("field", a) for a in ("create", "read", "update", "delete")
)


# --- operations ----------------------------------------------------------------------------------

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
