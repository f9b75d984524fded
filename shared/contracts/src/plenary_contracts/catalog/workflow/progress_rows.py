"""workflow: an event's participants' progress as a list query (step, status, SLA due, assignee)."""

from ...row_queries import row_query_operations
from ._common import _PARTICIPANT_READ, _SPECS

QUERY_PROGRESS_ROWS, QUERY_PROGRESS_GROUPS, PROGRESS_FIELDS = row_query_operations(
    _SPECS, "progress", "an event's participants' workflow progress", "/events/{eventId}/progress", "engine",
    _PARTICIPANT_READ,
)  # fmt: skip
