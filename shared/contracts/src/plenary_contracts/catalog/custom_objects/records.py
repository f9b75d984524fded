"""custom-objects: records, instances of a definition whose ``data`` holds a value per field.

``data`` is checked field by field against the definition (its types, options and required fields) by the
shared value checker; every problem is a 422 field error at ``["body", "data", <field>]``. A required field
takes no null, no ``""`` and no empty list. A field left out takes the field's default; a null or ``""`` on an
optional field is no value (not kept). A key the definition has no field for is refused. An update replaces
``data`` whole. An unknown definition is a 404; a deactivated one takes no new or changed record (400), its
records stay readable and deletable.
"""

from datetime import datetime
from typing import Any

from pydantic import Field

from ...fields import Id
from ...listing import ListQuery, Page
from ...model import Model
from ...personal import Personal
from ._common import (
    _MANAGING,
    _NOT_FOUND,
    _TAG,
    _UPDATE_ERRORS,
    _WRITE_ERRORS,
    DefinitionKey,
    _cmd,
    _event,
    _qry,
    _route,
)

MAX_DATA_KEYS = 200


class CustomObjectRecord(Model):
    id: str
    tenant_id: str
    definition_id: str
    definition_slug: str
    data: dict[str, Any]
    created_by: str | None = None
    created_at: datetime
    updated_at: datetime


class CreateRecord(Model):
    definition_id: DefinitionKey = Field(description="The definition's id or slug.")
    data: dict[str, Any] = Field(default_factory=dict, max_length=MAX_DATA_KEYS)


class UpdateRecord(Model):
    """``data`` replaces the record's data whole. If-Match holds the record's ETag when given."""

    definition_id: DefinitionKey = Field(description="The definition's id or slug.")
    id: Id
    data: dict[str, Any] = Field(max_length=MAX_DATA_KEYS)


class RecordRef(Model):
    definition_id: DefinitionKey = Field(description="The definition's id or slug.")
    id: Id


class ListRecords(ListQuery):
    definition_id: DefinitionKey = Field(description="The definition's id or slug.")


class RecordPage(Page[CustomObjectRecord]):
    pass


class RecordChanged(Model):
    record: CustomObjectRecord


# --- domain events -------------------------------------------------------------------------------

# A tenant's records may hold anyone's details: their data travels sealed with a key of the record, which the
# erasure of a person the record is about (or mentions) destroys (``plenary_contracts.personal``).
_RECORD_DATA = Personal("record.id", ("record.data",))

RECORD_CREATED = _event(
    "custom_object.record", "created", RecordChanged, "A custom object record.", personal=_RECORD_DATA
)
RECORD_UPDATED = _event(
    "custom_object.record", "updated", RecordChanged, "A record's data was replaced.", personal=_RECORD_DATA
)
RECORD_DELETED = _event(
    "custom_object.record", "deleted", RecordChanged, "A record was deleted (as it was).", personal=_RECORD_DATA
)


# --- operations ----------------------------------------------------------------------------------

_RECORDS = "/custom-objects/{definitionId}/records"
CREATE_RECORD = _cmd(
    "create_record", CreateRecord, CustomObjectRecord, "Add a record; its data is checked field by field.",
    errors=_WRITE_ERRORS, **_MANAGING, http=_route("POST", _RECORDS, "Create a record", _TAG, 201),
)  # fmt: skip
LIST_RECORDS = _qry(
    "list_records", ListRecords, RecordPage, "A definition's records, newest first.",
    errors=_NOT_FOUND, **_MANAGING, http=_route("GET", _RECORDS, "List records", _TAG),
)  # fmt: skip
GET_RECORD = _qry(
    "get_record", RecordRef, CustomObjectRecord, "One record.",
    errors=_NOT_FOUND, **_MANAGING, http=_route("GET", _RECORDS + "/{id}", "Get a record", _TAG),
)  # fmt: skip
UPDATE_RECORD = _cmd(
    "update_record", UpdateRecord, CustomObjectRecord, "Replace a record's data (checked field by field).",
    errors=_UPDATE_ERRORS, **_MANAGING, http=_route("PUT", _RECORDS + "/{id}", "Replace a record", _TAG),
)  # fmt: skip
DELETE_RECORD = _cmd(
    "delete_record", RecordRef, RecordRef, "Delete a record for good.",
    errors=_NOT_FOUND, **_MANAGING, http=_route("DELETE", _RECORDS + "/{id}", "Delete a record", _TAG, 204),
)  # fmt: skip
