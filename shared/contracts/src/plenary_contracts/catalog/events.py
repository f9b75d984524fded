"""events: the events (congresses, summits) everything else hangs off.

Issue 5 adds its operations; the deletion event is declared here first because workflow consumes it.
"""

from ..events import EventSpec
from ..model import Model
from ..operations import OperationSpec

SERVICE = "events"


class EventDeleted(Model):
    event_id: str


EVENT_DELETED = EventSpec(
    SERVICE, "event", "deleted", EventDeleted, "An event was deleted; its workflows, participants and the rest go."
)

EVENTS = [EVENT_DELETED]
OPERATIONS: list[OperationSpec] = []
