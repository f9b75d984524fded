"""audit: the auditor's log (the tenant's events, read from the streams through an index) and delivery traces.

``EVENTS`` / ``OPERATIONS`` keep the order the registry and the schema snapshot read."""

from ...events import EventSpec
from ._common import SERVICE
from .log import (
    DEFAULT_SPAN_HOURS,
    GET_TRACE,
    LIST_EVENTS,
    MAX_PAGE,
    MAX_SPAN_DAYS,
    MAX_TYPES,
    AuditEvent,
    AuditEventPage,
    DeliveryTrace,
    ListAuditEvents,
    TracedWebhookDelivery,
    TraceRef,
)

EVENTS: list[EventSpec] = []  # the audit service publishes nothing
OPERATIONS = [LIST_EVENTS, GET_TRACE]

__all__ = [
    "DEFAULT_SPAN_HOURS",
    "EVENTS",
    "GET_TRACE",
    "LIST_EVENTS",
    "MAX_PAGE",
    "MAX_SPAN_DAYS",
    "MAX_TYPES",
    "OPERATIONS",
    "SERVICE",
    "AuditEvent",
    "AuditEventPage",
    "DeliveryTrace",
    "ListAuditEvents",
    "TraceRef",
    "TracedWebhookDelivery",
]
