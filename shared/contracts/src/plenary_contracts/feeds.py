"""Live feeds: Server-Sent Event streams the gateway serves straight from a producer's JetStream stream.

A feed is declared here once, like an operation: its HTTP path (under ``API_PREFIX``, GET only), the events
it carries and, for each, the SSE ``event:`` name, the part of the payload a client receives as ``data:``
and where the payload carries each path parameter (a message is sent only when every one of them matches
the path's). The permission and flag are checked as for an operation, against the path's ``eventId``.
A personal feed's events each name the one user they are for (``recipient``): a message goes only to that
user's own streams, so the feed needs no permission beyond being signed in. Each is declared beside its events
in its producer's catalog; the registry's ``FEEDS`` gathers them, the gateway serves every one, and
``plenary routes`` and the OpenAPI document list them.

Every message of a feed's subjects passes through each open stream of it, which keeps those of the
caller's tenant (the envelope's ``tenantid``) whose payload matches the path: a feed suits facts an event's
staff watch live (head counts, a broadcast's progress), not a firehose.
"""

import re
import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel

from .events import EventSpec
from .flags import FlagKey
from .permissions import Permission
from .streams import BULK_LANE, event_stream_name, lane_subject

WirePath = tuple[str, ...]  # field names as they are on the wire (camelCase), outermost first

# What a stream sends as it ends on the server's initiative (a revoked credential, a flag turned off, the
# gateway stopping): this event, without an id, its data the problem a new request would be answered with.
CLOSED_EVENT = "stream:closed"
_EVENT_NAME = re.compile(r"^[a-z][a-z0-9_.-]*(:[a-z][a-z0-9_.-]*)*$")


def _unwrap_optional(annotation: Any) -> Any:
    """``X | None`` as ``X``; anything else as it is."""
    if get_origin(annotation) in (Union, types.UnionType):
        concrete = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(concrete) == 1:
            return concrete[0]
    return annotation


def field_at(model: type[BaseModel], path: WirePath) -> Any:
    """The type at ``path`` (wire names) inside ``model``; ``KeyError`` naming the first missing step."""
    current: Any = model
    for step in path:
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            raise KeyError(f"{step!r}: {current!r} is not a model")
        by_wire = {(info.alias or name): info for name, info in current.model_fields.items()}
        if step not in by_wire:
            raise KeyError(f"{step!r} is not a field of {current.__name__}")
        current = _unwrap_optional(by_wire[step].annotation)
    return current


@dataclass(frozen=True)
class FeedEvent:
    """One event a feed carries, and how a stream turns it into an SSE message."""

    event: EventSpec
    name: str  # the SSE `event:` field
    data: WirePath = ()  # the part of the payload sent as `data:`; () sends the whole payload
    scope: Mapping[str, WirePath] = field(default_factory=dict)  # path parameter -> where the payload has it
    recipient: WirePath = ()  # where the payload names the one user it is for (a personal feed's events)

    def __post_init__(self) -> None:
        if not _EVENT_NAME.match(self.name) or self.name == CLOSED_EVENT:
            raise ValueError(f"{self.name!r} is not a usable SSE event name")
        model = self.data_model  # raises when the path leads nowhere
        if not issubclass(model, BaseModel):
            raise ValueError(f"{self.name}: data {self.data} is not a model")
        for param, path in self.scope.items():
            if not path or field_at(self.event.payload, path) is not str:
                raise ValueError(f"{self.name}: {param} is not a text field at {path}")
        if self.recipient and field_at(self.event.payload, self.recipient) is not str:
            raise ValueError(f"{self.name}: the recipient is not a text field at {self.recipient}")

    @property
    def data_model(self) -> type[BaseModel]:
        """The model of what a client receives."""
        found = field_at(self.event.payload, self.data)
        if not (isinstance(found, type) and issubclass(found, BaseModel)):
            raise ValueError(f"{self.name}: data {self.data} is not a model")
        return found


@dataclass(frozen=True)
class FeedSpec:
    name: str
    path: str  # relative to API_PREFIX, as an HttpRoute's
    events: tuple[FeedEvent, ...]
    permission: Permission | None  # None: a personal feed, which anyone signed in opens for themselves
    description: str
    summary: str
    tag: str
    flag: FlagKey | None = None

    def __post_init__(self) -> None:
        if not self.path.startswith("/"):
            raise ValueError(f"{self.name}: the path must start with /")
        if not self.events:
            raise ValueError(f"{self.name}: a feed carries at least one event")
        producers = {each.event.producer for each in self.events}
        if len(producers) != 1:
            raise ValueError(f"{self.name}: a feed reads one producer's stream, not {sorted(producers)}")
        names = [each.name for each in self.events]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.name}: two events share an SSE name")
        types_ = [each.event.type for each in self.events]
        if len(set(types_)) != len(types_):
            raise ValueError(f"{self.name}: an event type is listed twice")
        if len({bool(each.recipient) for each in self.events}) != 1:
            raise ValueError(f"{self.name}: either every event names its recipient (a personal feed) or none does")
        if self.permission is None and not self.personal:
            raise ValueError(f"{self.name}: only a personal feed may go without a permission")
        for each in self.events:
            if set(each.scope) != set(self.path_params):
                raise ValueError(f"{self.name}: {each.name} must locate every path parameter {self.path_params}")

    @property
    def personal(self) -> bool:
        """Each message goes only to streams of the user it names (opened with a user's access token)."""
        return bool(self.events[0].recipient)

    @property
    def path_params(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.path)

    @property
    def stream(self) -> str:
        return event_stream_name(self.events[0].event.producer)

    @property
    def subjects(self) -> list[str]:
        """The event subjects read, each in both lanes (a fact is the same whether a bulk operation caused it)."""
        found: list[str] = []
        for each in self.events:
            for subject in (each.event.subject, lane_subject(each.event.subject, BULK_LANE)):
                if subject not in found:
                    found.append(subject)
        return found

    def carried(self, event_type: str) -> FeedEvent | None:
        """The feed's event of this CloudEvents type (a newer version on the same subject is not carried)."""
        for each in self.events:
            if each.event.type == event_type:
                return each
        return None
