"""A query's time window and its keyset cursor."""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

DEFAULT_SPAN = timedelta(hours=24)
MAX_SPAN = timedelta(days=31)

Problem = tuple[str, str]


@dataclass(frozen=True)
class Window:
    since: datetime
    until: datetime


def window(since: datetime | None, until: datetime | None, now: datetime) -> Window | Problem:
    """``[since, until)``: until defaults to now, since to a day before until; at most ``MAX_SPAN`` wide."""
    until = until or now
    since = since or until - DEFAULT_SPAN
    if since >= until:
        return ("from", "must be before `to`")
    if until - since > MAX_SPAN:
        return ("from", f"the window spans at most {MAX_SPAN.days} days")
    return Window(since, until)


@dataclass(frozen=True)
class Position:
    """Where a page ended: the last entry's time, stream and sequence (the index's order)."""

    occurred_at: datetime
    stream: str
    stream_seq: int


def encode_cursor(position: Position) -> str:
    raw = json.dumps([position.occurred_at.isoformat(), position.stream, position.stream_seq])
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_cursor(cursor: str) -> Position | None:
    """None when the text is not a cursor this log gave."""
    try:
        occurred_at, stream, seq = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        position = Position(datetime.fromisoformat(occurred_at), stream, seq)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        return None
    if position.occurred_at.tzinfo is None or not isinstance(stream, str) or type(seq) is not int or seq < 1:
        return None
    return position
