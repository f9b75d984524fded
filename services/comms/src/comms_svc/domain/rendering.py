"""``{{variable}}`` rendering, per recipient.

A variable is ``{{name}}`` with a name of letters, digits and underscores and no spaces; anything else
(``{{ name }}``, ``{{a.b}}``) is plain text. A variable the values lack stays as written, so a typo shows in
the message instead of vanishing. Values are inserted as text, never evaluated; in an HTML e-mail body they
are HTML-escaped, so a participant's name cannot inject markup.
"""

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

VARIABLE = re.compile(r"\{\{([A-Za-z0-9_]+)\}\}")
_HTML_TAG = re.compile(r"<\s*/?\s*[A-Za-z][A-Za-z0-9-]*(\s[^<>]*)?/?\s*>")
BUILT_INS = ("name", "firstName", "lastName", "email", "eventName", "eventDate", "status", "participantType")
EVENT_DATE_FORMAT = "%d %B %Y"


@dataclass(frozen=True)
class Rendered:
    text: str
    unknown: tuple[str, ...]


def variables_of(*texts: str | None) -> list[str]:
    """The variables the texts use, each once, in order of first use."""
    found: dict[str, None] = {}
    for text in texts:
        for match in VARIABLE.finditer(text or ""):
            found.setdefault(match.group(1), None)
    return list(found)


def looks_like_html(text: str) -> bool:
    return _HTML_TAG.search(text) is not None


def render(text: str, values: Mapping[str, Any], *, escape: bool = False) -> Rendered:
    """The text with each known variable replaced by its value as text (``None`` reads as empty)."""
    unknown: dict[str, None] = {}

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            unknown.setdefault(name, None)
            return match.group(0)
        value = _as_text(values[name])
        return html.escape(value) if escape else value

    return Rendered(VARIABLE.sub(substitute, text), tuple(unknown))


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ", ".join(_as_text(v) for v in value)
    return str(value)


@dataclass(frozen=True)
class Recipient:
    """What a message can say about its recipient: a participant as comms holds it."""

    first_name: str
    last_name: str
    email: str | None
    status: str
    participant_type: str | None = None
    extras: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class EventInfo:
    name: str
    start_date: datetime
    timezone: str


def zone_of(timezone: str | None) -> ZoneInfo:
    """The named timezone; an unknown one reads as UTC."""
    try:
        return ZoneInfo(timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def event_date(event: EventInfo) -> str:
    """The event's first day as its own timezone sees it."""
    return event.start_date.astimezone(zone_of(event.timezone)).strftime(EVENT_DATE_FORMAT)


def local_time(moment: datetime, timezone: str | None) -> str:
    """A moment as the event's timezone shows it, the zone named: ``16 March 2027 09:30 (Africa/Addis_Ababa)``."""
    zone = zone_of(timezone)
    return f"{moment.astimezone(zone).strftime('%d %B %Y %H:%M')} ({zone.key})"


def recipient_values(recipient: Recipient, event: EventInfo | None) -> dict[str, Any]:
    """The built-in variables for one recipient, after the participant's extras (a built-in wins a clash)."""
    values: dict[str, Any] = dict(recipient.extras or {})
    values.update(
        name=f"{recipient.first_name} {recipient.last_name}".strip(),
        firstName=recipient.first_name,
        lastName=recipient.last_name,
        email=recipient.email or "",
        status=recipient.status,
    )
    if recipient.participant_type is not None:
        values["participantType"] = recipient.participant_type
    if event is not None:
        values["eventName"] = event.name
        values["eventDate"] = event_date(event)
    return values


SAMPLE = Recipient(
    first_name="Ada",
    last_name="Lovelace",
    email="ada.lovelace@example.org",
    status="APPROVED",
    participant_type="Delegate",
)
SAMPLE_EVENT = EventInfo(name="Annual Summit", start_date=datetime(2027, 3, 15, 9, 0, tzinfo=UTC), timezone="UTC")


@dataclass(frozen=True)
class Message:
    subject: str | None
    body: str
    unknown: tuple[str, ...]


def render_message(subject: str | None, body: str, values: Mapping[str, Any], *, html_email: bool) -> Message:
    """Subject and body for one recipient; the body's values are escaped when it is an HTML e-mail."""
    rendered_subject = render(subject, values) if subject is not None else None
    rendered_body = render(body, values, escape=html_email and looks_like_html(body))
    unknown = dict.fromkeys((*(rendered_subject.unknown if rendered_subject else ()), *rendered_body.unknown))
    return Message(rendered_subject.text if rendered_subject else None, rendered_body.text, tuple(unknown))
