"""registration: an event's participants as a list query (filters, sorts, columns, keyset pages, kanban groups)."""

from ...permissions import Permission
from ...row_queries import row_query_operations
from ._common import _SPECS

QUERY_PARTICIPANT_ROWS, QUERY_PARTICIPANT_GROUPS, PARTICIPANT_FIELDS = row_query_operations(
    _SPECS,
    "participant",
    "an event's participants (built-in fields, and the event's extras by their key)",
    "/events/{eventId}/participants",
    "participants",
    Permission("participant", "read"),
)
