"""ISO 8601 dates and datetimes as epoch milliseconds, so DATE and DATETIME fields compare as times."""

import re
from datetime import date

_ISO_DATE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})"
    r"(?:[Tt ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:[.,]([0-9]+))?)?"
    r"([Zz]|[+-][0-9]{2}(?::?[0-9]{2})?)?)?"
)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def iso_to_epoch_ms(text: str) -> float | None:
    """Epoch milliseconds of an ISO 8601 date or datetime; a date is midnight UTC, no offset is UTC."""
    if len(text) < 10 or text[4] != "-":
        return None
    match = _ISO_DATE.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    try:
        days = date(int(year), int(month), int(day)).toordinal() - _EPOCH_ORDINAL
    except ValueError:
        return None
    ms = days * 86_400_000.0
    if hour is None:
        return ms
    hours, minutes, seconds = int(hour), int(minute), int(second or 0)
    if hours > 23 or minutes > 59 or seconds > 59:
        return None
    ms += ((hours * 60 + minutes) * 60 + seconds) * 1000
    if fraction:
        ms += float("0." + fraction) * 1000
    if offset is not None and offset not in ("Z", "z"):
        offset_hours, offset_minutes = int(offset[1:3]), int(offset[-2:]) if len(offset) > 3 else 0
        if offset_hours > 23 or offset_minutes > 59:
            return None
        shift = (offset_hours * 60 + offset_minutes) * 60_000
        ms += -shift if offset[0] == "+" else shift
    return ms
