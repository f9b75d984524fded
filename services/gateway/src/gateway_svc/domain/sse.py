"""Server-Sent Events as a live feed writes them (the WHATWG ``text/event-stream`` format), and the small rules
of a feed's messages: which one a stream sends, what of it, and where a reconnecting client resumes.

Each message's ``id:`` is its JetStream stream sequence, so the ``Last-Event-ID`` a browser sends back on
reconnecting says exactly where the client stopped.
"""

from collections.abc import Mapping
from typing import Any

EVENT_STREAM = "text/event-stream; charset=utf-8"
KEEPALIVE = b": keep-alive\n\n"
MAX_SEQUENCE = 2**63 - 1  # JetStream sequences are unsigned 64-bit; nothing near this is ever reached


def event_frame(name: str, data: str, event_id: int | None = None) -> bytes:
    """One SSE message. ``data`` is a single line (compact JSON escapes every line break)."""
    if "\n" in data or "\r" in data:
        raise ValueError("SSE data must be one line")
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {name}\ndata: {data}\n\n".encode()


def opening_frame(retry_milliseconds: int) -> bytes:
    """The first bytes of a stream: how long a client waits before reconnecting, and a comment (so that the
    response starts flowing at once through any proxy)."""
    return f"retry: {retry_milliseconds}\n: open\n\n".encode()


class BadLastEventId(ValueError):
    """A resume position that is no sequence this gateway ever sent."""

    def __init__(self, where: str) -> None:
        super().__init__("must be the id of an event this stream sent (a whole number)")
        self.where = where


def resume_after(header: str | None, query: str | None) -> int | None:
    """The sequence a client last received, if it says: the ``Last-Event-ID`` header (a browser sends it on
    reconnecting, so it is the newer of the two) before the ``lastEventId`` query parameter (for a new
    EventSource, which cannot send headers). ``BadLastEventId`` names the one that is no sequence."""
    for where, value in (("header", header), ("query", query)):
        if value is None:
            continue
        text = value.strip()
        if not text.isascii() or not text.isdigit() or int(text) > MAX_SEQUENCE:
            raise BadLastEventId(where)
        return int(text)
    return None


def pick(data: Any, path: tuple[str, ...]) -> Any:
    """The value at ``path`` inside a JSON object; None when a step is missing."""
    for step in path:
        if not isinstance(data, dict):
            return None
        data = data.get(step)
    return data


def in_scope(data: Any, scope: Mapping[str, tuple[str, ...]], params: Mapping[str, str]) -> bool:
    """Whether a payload names every path parameter's value where the feed says it does."""
    for param, path in scope.items():
        value = pick(data, path)
        if not isinstance(value, str) or value != params.get(param):
            return False
    return True
