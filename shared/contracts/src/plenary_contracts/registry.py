"""Every contract in one place: what the gateway, the CLI and the schema snapshot read."""

from . import saga_parts
from .catalog import (
    analytics,
    audit,
    checkin,
    comms,
    custom_objects,
    delegation,
    events,
    identity,
    registration,
    views,
    webhooks,
    workflow,
)
from .events import EventSpec
from .feeds import FeedSpec
from .operations import OperationSpec

_CATALOGS = (
    identity,
    events,
    registration,
    workflow,
    checkin,
    webhooks,
    comms,
    views,
    delegation,
    custom_objects,
    analytics,
    audit,
)

EVENTS: list[EventSpec] = [spec for catalog in _CATALOGS for spec in catalog.EVENTS]
OPERATIONS: list[OperationSpec] = [
    *(spec for catalog in _CATALOGS for spec in catalog.OPERATIONS),
    *saga_parts.OPERATIONS,
]
FEEDS: list[FeedSpec] = [feed for catalog in _CATALOGS for feed in getattr(catalog, "FEEDS", [])]


def _unique(names: list[str], what: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(f"duplicate {what}: {name}")
        seen.add(name)


_unique([e.type for e in EVENTS], "event type")
_unique([o.subject for o in OPERATIONS], "operation subject")
_unique([f.name for f in FEEDS], "feed name")
_unique([f.path for f in FEEDS], "feed path")

EVENTS_BY_TYPE: dict[str, EventSpec] = {e.type: e for e in EVENTS}
OPERATIONS_BY_SUBJECT: dict[str, OperationSpec] = {o.subject: o for o in OPERATIONS}
