"""The participants export's CSV: the fixed columns, then the event's dynamic fields by label;
every cell quoted, LF line endings, a UTF-8 byte order mark so spreadsheet programs read it as UTF-8."""

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

BOM = "\ufeff"

FIXED_COLUMNS: tuple[tuple[str, str], ...] = (
    ("firstName", "First Name"),
    ("lastName", "Last Name"),
    ("email", "Email"),
    ("organization", "Organization"),
    ("jobTitle", "Job Title"),
    ("nationality", "Nationality"),
    ("registrationCode", "Registration Code"),
    ("status", "Status"),
    ("participantType", "Participant Type"),
    ("createdAt", "Created At"),
)


@dataclass(frozen=True)
class Column:
    name: str  # a fixed column's key, or the dynamic field's name (its value is extras[name])
    label: str
    dynamic: bool = False


class UnknownFields(ValueError):
    def __init__(self, unknown: Sequence[str], known: Sequence[str]) -> None:
        super().__init__(f"unknown fields: {', '.join(unknown)}")
        self.unknown = list(unknown)
        self.known = list(known)


def columns(dynamic: Sequence[tuple[str, str]], wanted: Sequence[str] | None = None) -> list[Column]:
    """Fixed then dynamic ``(name, label)`` columns in that order; ``wanted`` keeps only the named ones."""
    every = [Column(name, label) for name, label in FIXED_COLUMNS]
    fixed = {name for name, _ in FIXED_COLUMNS}
    every += [Column(name, label, dynamic=True) for name, label in dynamic if name not in fixed]
    if wanted is None:
        return every
    names = [c.name for c in every]
    unknown = [name for name in wanted if name not in names]
    if unknown:
        raise UnknownFields(unknown, names)
    chosen = set(wanted)
    return [c for c in every if c.name in chosen]


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "; ".join(cell(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def row(chosen: Sequence[Column], fixed: Mapping[str, Any], extras: Mapping[str, Any]) -> list[str]:
    return [cell(extras.get(c.name) if c.dynamic else fixed.get(c.name)) for c in chosen]


def header(chosen: Sequence[Column]) -> list[str]:
    return [c.label for c in chosen]


def encode(rows: Iterable[Sequence[str]]) -> str:
    """Rows as CSV text: every cell quoted (inner quotes doubled), each line ended by LF."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerows(rows)
    return out.getvalue()
