"""Checking an import's rows before anything is stored, and what a checked row registers with.

Errors (the row is not imported): first or last name empty, an e-mail that is not ``x@y.z``, a
registration code twice in the file ("same as row N") or already used in the event, a dynamic field's
value its type refuses. Warnings (imported, but look): an e-mail twice in the file or already in the
event, case-insensitively. Rows are numbered from 1, the header not counted.
"""

import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from plenary_contracts.enums import BulkItemStatus

from .column_mapping import FIXED_TARGETS
from .extras import CONVENTIONAL, FieldSpec, check_extras, from_text

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
FIXED = frozenset(t.name for t in FIXED_TARGETS)
_SEVERITY = {BulkItemStatus.VALID: 0, BulkItemStatus.WARNING: 1, BulkItemStatus.ERROR: 2}

Check = Callable[[Mapping[str, str]], Iterable[tuple[str, str]]]  # a row's values → (field, error)


@dataclass(frozen=True)
class Problem:
    field: str
    message: str
    status: BulkItemStatus  # WARNING or ERROR


@dataclass(frozen=True)
class CheckedRow:
    row_number: int
    data: dict[str, str]  # target → the cell's text, non-empty cells only
    problems: tuple[Problem, ...] = ()

    @property
    def status(self) -> BulkItemStatus:
        return max((p.status for p in self.problems), key=_SEVERITY.__getitem__, default=BulkItemStatus.VALID)

    @property
    def message(self) -> str | None:
        """``field: message; field: message``, errors first."""
        ordered = sorted(self.problems, key=lambda p: -_SEVERITY[p.status])
        return "; ".join(f"{p.field}: {p.message}" for p in ordered) or None


@dataclass(frozen=True)
class Known:
    """What the event already holds, for the cross-checks: codes as stored, e-mails lower-cased."""

    codes: Collection[str] = frozenset()
    emails: Collection[str] = frozenset()


@dataclass
class _Seen:
    codes: dict[str, int] = field(default_factory=dict)
    emails: dict[str, int] = field(default_factory=dict)


def check_rows(
    rows: Sequence[Sequence[str]],
    headers: Sequence[str],
    mapping: Mapping[str, str],
    dynamic: Sequence[FieldSpec],
    known: Known,
    extra_checks: Sequence[Check] = (),
) -> list[CheckedRow]:
    """Every row checked; ``extra_checks`` add errors the caller knows of (the contract's shapes)."""
    columns = [(index, mapping[header]) for index, header in enumerate(headers) if header in mapping]
    seen = _Seen()
    checked = []
    for number, row in enumerate(rows, start=1):
        data = {target: row[index] for index, target in columns if row[index]}
        problems = [
            *(_error(name, "is required") for name in ("firstName", "lastName") if name not in data),
            *_email(data, number, known, seen),
            *_code(data, number, known, seen),
            *_extras(data, dynamic),
        ]
        for check in extra_checks:
            flagged = {p.field for p in problems if p.status is BulkItemStatus.ERROR}
            problems += [_error(name, message) for name, message in check(data) if name not in flagged]
        checked.append(CheckedRow(number, data, tuple(problems)))
    return checked


def _error(name: str, message: str) -> Problem:
    return Problem(name, message, BulkItemStatus.ERROR)


def _email(data: Mapping[str, str], number: int, known: Known, seen: _Seen) -> Iterator[Problem]:
    email = data.get("email")
    if not email:
        return
    if not EMAIL.match(email):
        yield _error("email", "is not a valid e-mail address")
        return
    key = email.lower()
    if key in seen.emails:
        yield Problem("email", f"same as row {seen.emails[key]}", BulkItemStatus.WARNING)
    else:
        seen.emails[key] = number
    if key in known.emails:
        yield Problem("email", "already registered in this event", BulkItemStatus.WARNING)


def _code(data: Mapping[str, str], number: int, known: Known, seen: _Seen) -> Iterator[Problem]:
    code = data.get("registrationCode")
    if not code:
        return
    if code in seen.codes:
        yield _error("registrationCode", f"same as row {seen.codes[code]}")
    else:
        seen.codes[code] = number
        if code in known.codes:
            yield _error("registrationCode", "already used in this event")


def _extras(data: Mapping[str, str], dynamic: Sequence[FieldSpec]) -> Iterator[Problem]:
    """The dynamic fields' values as registration will check them: typed from text, required ones present."""
    reported: set[str] = set()
    for loc, message in check_extras(extras_of(data, dynamic), dynamic).problems:
        name = str(loc[0])
        if name not in reported:
            reported.add(name)
            yield _error(name, message)


def registration_code(operation_id: str, row_number: int) -> str:
    """The code of a row that brought none: ``BULK-{last 6 characters of the op id}-{row, 4 digits}``."""
    return f"BULK-{operation_id[-6:]}-{row_number:04d}"


def extras_of(data: Mapping[str, str], dynamic: Sequence[FieldSpec]) -> dict[str, Any]:
    """The non-fixed, non-empty mapped values, read as their fields' types (the conventional passport
    number, phone and date of birth included)."""
    specs = {**CONVENTIONAL, **{f.name: f for f in dynamic}}
    return {
        name: from_text(specs[name], text)
        for name, text in data.items()
        if name not in FIXED and name in specs and text.strip()
    }
