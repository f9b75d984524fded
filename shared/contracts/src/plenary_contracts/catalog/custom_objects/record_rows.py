"""custom-objects: a definition's records as a list query (filters, sorts, columns, keyset pages, kanban groups).

The fields are the definition's own, by their name (a FORMULA field holds no stored value and is left out),
and ``createdAt`` / ``updatedAt``; the natural order is ``createdAt`` descending. ``definitionId`` (the
definition's id or slug) is required; another tenant's definition is a 404. A field removed from the
definition is an unknown field (422 naming it in ``details.field``)."""

from ...errors import ErrorCode
from ...row_queries import EntityFields, FieldsQuery, GroupPage, GroupQuery, RowPage, RowQuery
from ._common import _MANAGING, _TAG, _qry, _route

_ERRORS = (ErrorCode.NOT_FOUND, ErrorCode.VALIDATION_ERROR)
_QUERY = "/custom-objects/{definitionId}/records/query"

QUERY_RECORD_ROWS = _qry(
    "query_record_rows", RowQuery, RowPage,
    "A page of a custom object's records by the list query language; its fields by their name.",
    errors=_ERRORS, **_MANAGING, http=_route("POST", _QUERY, "Query records", _TAG),
)  # fmt: skip
QUERY_RECORD_GROUPS = _qry(
    "query_record_groups", GroupQuery, GroupPage,
    "A custom object's records counted per value of a field, with the first page of each group.",
    errors=_ERRORS, **_MANAGING, http=_route("POST", _QUERY + "/groups", "Group records", _TAG),
)  # fmt: skip
RECORD_FIELDS = _qry(
    "record_fields", FieldsQuery, EntityFields,
    "The fields a records query can filter, sort, group and show: the definition's fields, createdAt, updatedAt.",
    errors=_ERRORS, **_MANAGING, http=_route("GET", _QUERY + "/fields", "Record fields", _TAG),
)  # fmt: skip
