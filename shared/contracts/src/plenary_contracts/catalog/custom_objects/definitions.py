"""custom-objects: definitions, a tenant's own record types (hotels, vehicles, press passes) and their typed
fields.

A slug names a definition in URLs: ``^[a-z][a-z0-9_-]*$``, unique in the tenant, never changed once made.
Left out, it is made from the name (lowercased, accents dropped, spaces to hyphens, other characters
stripped, a leading digit or hyphen dropped) and suffixed ``-2``, ``-3``… when the tenant already has it; a
slug given explicitly that is taken is a 409.

A field: ``name`` (the key in a record's ``data``; not one of the record's own fields ``id``, ``createdAt``,
``updatedAt``, ``createdBy``, ``definitionId``), ``label``, ``dataType``, ``required``, ``options`` (ENUM and
MULTI_ENUM only, at least one), ``defaultValue`` (a JSON value valid for the field, used when a record leaves
the field out), ``sortOrder`` and a free ``config`` object kept for clients. Values are checked by the
shared value checker (``plenary_contracts.field_values``), so a value the events service accepts for a field
of a type is accepted here too.

Changing ``fields`` of a definition that has records checks the records against the new fields; when some
no longer fit (a new required field without a default, a changed type, a removed option) the change is
refused with 409, and ``details.records`` lists up to 50 of them with their field errors (``details.more``
when there are others). A new required field with a default gives that default to every record lacking it;
a removed field's values are removed from every record.
"""

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from ...enums import FieldDataType
from ...fields import Name
from ...listing import ListQuery, Page
from ...model import Model
from ._common import (
    _MANAGING,
    _NOT_FOUND,
    _TAG,
    _UPDATE_ERRORS,
    _WRITE_ERRORS,
    DefinitionKey,
    Text,
    _cmd,
    _event,
    _qry,
    _route,
)

SLUG_PATTERN = r"^[a-z][a-z0-9_-]*$"
SLUG_MAX_LENGTH = 64
MAX_FIELDS = 100
MAX_OPTIONS = 200
Slug = Annotated[str, StringConstraints(min_length=1, max_length=SLUG_MAX_LENGTH, pattern=SLUG_PATTERN)]
FieldKey = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z][A-Za-z0-9_]*$")]
Icon = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z0-9-]+$")]
OptionValue = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class CustomField(Model):
    name: FieldKey = Field(description="The key of the value in a record's `data`.")
    label: Name
    data_type: FieldDataType
    required: bool = Field(False, description='A record must have a value: null, "" and [] are no value.')
    options: list[OptionValue] | None = Field(None, max_length=MAX_OPTIONS, description="ENUM and MULTI_ENUM only.")
    default_value: Any = Field(None, description="A JSON value valid for the field; used when a record leaves it out.")
    sort_order: Annotated[int, Field(ge=0, le=100_000)] = 0
    config: dict[str, Any] = Field(default_factory=dict, description="Kept for clients (placeholder, help text…).")


class CustomObjectDefinition(Model):
    id: str
    tenant_id: str
    name: str
    slug: str
    description: str | None = None
    icon: str | None = Field(None, description="A lucide icon name.")
    fields: list[CustomField] = Field(description="By sortOrder, then name.")
    is_active: bool
    created_by: str | None = None
    created_at: datetime
    updated_at: datetime


class CustomObjectDefinitionDetail(CustomObjectDefinition):
    record_count: int


class CreateDefinition(Model):
    name: Name
    slug: Slug | None = Field(None, description="Left out: made from the name, suffixed when taken.")
    description: Text | None = None
    icon: Icon | None = None
    fields: list[CustomField] = Field(default_factory=list, max_length=MAX_FIELDS)


class UpdateDefinition(Model):
    """Only what is given changes; ``fields`` replaces the list. The slug never changes (sending another is a
    422). If-Match holds the definition's ETag when given."""

    id: DefinitionKey
    name: Name | None = None
    slug: Slug | None = Field(None, description="Immutable: only the current slug is accepted.")
    description: Text | None = None
    icon: Icon | None = None
    fields: list[CustomField] | None = Field(None, max_length=MAX_FIELDS)
    is_active: bool | None = Field(None, description="false: deactivated; its records stay, read-only.")


class DefinitionRef(Model):
    id: DefinitionKey = Field(description="The definition's id or slug.")


class ListDefinitions(ListQuery):
    include_inactive: bool = Field(False, description="Deactivated definitions too.")
    sort: str = Field("name:asc", pattern=r"^[A-Za-z][A-Za-z0-9_]*:(asc|desc)$")


class DefinitionPage(Page[CustomObjectDefinition]):
    pass


class DefinitionChanged(Model):
    definition: CustomObjectDefinition


# --- domain events -------------------------------------------------------------------------------

DEFINITION_CREATED = _event("custom_object.definition", "created", DefinitionChanged, "A custom object type.")
DEFINITION_UPDATED = _event(
    "custom_object.definition", "updated", DefinitionChanged, "A custom object type changed (fields, name, active)."
)
DEFINITION_DELETED = _event("custom_object.definition", "deleted", DefinitionChanged, "A type without records went.")


# --- operations ----------------------------------------------------------------------------------

CREATE_DEFINITION = _cmd(
    "create_definition", CreateDefinition, CustomObjectDefinition,
    "Define a custom object type with its typed fields (slug unique in the tenant).",
    errors=_WRITE_ERRORS, **_MANAGING,
    http=_route("POST", "/custom-objects", "Create a custom object type", _TAG, 201),
)  # fmt: skip
LIST_DEFINITIONS = _qry(
    "list_definitions", ListDefinitions, DefinitionPage, "Custom object types, active ones by default, by name.",
    **_MANAGING, http=_route("GET", "/custom-objects", "List custom object types", _TAG),
)  # fmt: skip
GET_DEFINITION = _qry(
    "get_definition", DefinitionRef, CustomObjectDefinitionDetail, "One custom object type (by id or slug).",
    errors=_NOT_FOUND, **_MANAGING, http=_route("GET", "/custom-objects/{id}", "Get a custom object type", _TAG),
)  # fmt: skip
UPDATE_DEFINITION = _cmd(
    "update_definition", UpdateDefinition, CustomObjectDefinition,
    "Change a custom object type; changed fields are checked against its records (409 lists misfits).",
    errors=_UPDATE_ERRORS, **_MANAGING,
    http=_route("PATCH", "/custom-objects/{id}", "Update a custom object type", _TAG),
)  # fmt: skip
DELETE_DEFINITION = _cmd(
    "delete_definition", DefinitionRef, DefinitionRef,
    "Remove a custom object type that has no records (409 while it has some: deactivate it instead).",
    errors=_WRITE_ERRORS, **_MANAGING,
    http=_route("DELETE", "/custom-objects/{id}", "Delete a custom object type", _TAG, 204),
)  # fmt: skip
