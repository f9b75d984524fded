"""events: the tenant's events as a list query (filters, sorts, columns, keyset pages, kanban groups)."""

from ...row_queries import row_query_operations
from ._common import _EVENT_READ, _SPECS

QUERY_EVENT_ROWS, QUERY_EVENT_GROUPS, EVENT_FIELDS = row_query_operations(
    _SPECS, "event", "the tenant's events", "/events", "events", _EVENT_READ
)
