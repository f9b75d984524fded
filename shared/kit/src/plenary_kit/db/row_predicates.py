"""The condition language in SQL: one typed field's value expression and each operator's predicate.

Every predicate here is two-valued (true or false, never NULL), so ``NOT`` and ``OR`` keep the condition
language's meaning; each one matches exactly what ``plenary_contracts.conditions.evaluate`` says of the
row's values (given the fields' types), with these readings of what a list holds:

- a NUMBER field holds numbers, a BOOLEAN field booleans, a DATE/DATETIME field ISO 8601 text (in
  JSONB) or a date/timestamptz column, a MULTI_ENUM field a list of text; a JSONB value of another
  type reads as null there (never a failed cast), except for empty/notEmpty, which read the value as is;
- a field with ``options`` holds exactly one of its options: eq/in compare with the matching options
  exactly (so an index on the column or a GIN index on the JSONB serves them); a ``lowercase`` column
  (ids) holds lowercase text only: eq/in compare it with the lowered value, as is;
- text compares case-insensitively as PostgreSQL's ``lower`` and ``ILIKE`` do (the same as Python's for
  ASCII text).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from plenary_contracts.conditions import iso_to_epoch_ms, js_number, js_string
from plenary_contracts.conditions.javascript import JS_WHITESPACE, js_number_or_zero, lowered_text
from plenary_contracts.enums import FieldDataType

Predicate = sa.ColumnElement[bool]


class Kind(StrEnum):
    """How a field's values compare in SQL."""

    TEXT = "text"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    LIST = "list"
    JSON = "json"


KIND_OF: dict[FieldDataType, Kind] = {
    **dict.fromkeys(FieldDataType, Kind.TEXT),
    FieldDataType.NUMBER: Kind.NUMBER,
    FieldDataType.BOOLEAN: Kind.BOOLEAN,
    FieldDataType.DATE: Kind.DATE,
    FieldDataType.DATETIME: Kind.DATETIME,
    FieldDataType.MULTI_ENUM: Kind.LIST,
    FieldDataType.JSON: Kind.JSON,
}

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ISO_TIME = (
    r"^(?!0000)[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"([Tt ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9]([.,][0-9]{1,6})?)?([Zz]|[+-](0[0-9]|1[0-5])(:?[0-5][0-9])?)?)?$"
)
_HAS_OFFSET = r"([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)$"
_NUMBER = r"^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]{1,3})?$"


@dataclass(frozen=True)
class Storage:
    """Where a field's value lives: a typed column, or a key of a JSONB column."""

    kind: Kind
    column: sa.ColumnElement[Any]
    key: str | None = None  # the JSONB key; None: ``column`` is the value itself
    options: tuple[str, ...] = ()  # a TEXT field's values, when it holds nothing else
    lowercase: bool = False  # a TEXT column holding lowercase text only (ids): compared as is, so indexes serve

    @property
    def in_json(self) -> bool:
        return self.key is not None

    @property
    def raw(self) -> sa.ColumnElement[Any]:
        """The value as stored: the column, or the JSONB element (``extras -> 'key'``)."""
        if self.key is None:
            return self.column
        return self.column.op("->")(_key_literal(self.key))

    @property
    def text(self) -> sa.ColumnElement[str]:
        """The value as text (``extras ->> 'key'``); NULL when missing or null."""
        if self.key is None:
            return sa.cast(self.column, sa.Text) if self.kind is not Kind.TEXT else self.column
        return self.column.op("->>", return_type=sa.Text)(_key_literal(self.key))

    @property
    def value(self) -> sa.ColumnElement[Any]:
        """The typed value the operators and sorts use; NULL when missing, null or not of the field's type."""
        if self.key is None:
            if self.kind is Kind.LIST:
                return sa.func.array_to_string(self.column, ",")
            return self.column
        return _JSON_VALUES[self.kind](self)

    @property
    def sort_value(self) -> sa.ColumnElement[Any]:
        """What rows sort by: the typed value, except a JSONB DATE's ISO text as stored (the same order for
        the dates a checked field holds, and an expression an index on ``(column ->> 'key')`` serves)."""
        if self.in_json and self.kind is Kind.DATE:
            return self.text
        return self.value

    def is_null(self) -> Predicate:
        return self.text.is_(None) if self.in_json else self.column.is_(None)


def _key_literal(key: str) -> sa.ColumnElement[str]:
    # Field keys are whitelisted names (letters, digits, _): inline, so expression indexes match.
    if not key.replace("_", "").isalnum() or not key.isascii():
        raise ValueError(f"not a field key: {key!r}")
    return sa.literal_column(f"'{key}'", sa.Text)


def _constant(text: str) -> sa.ColumnElement[str]:
    """One of this module's own constants, inlined: an expression index on a sort value can then match it."""
    return sa.literal_column("'" + text.replace("'", "''") + "'", sa.Text)


def _json_type(storage: Storage) -> sa.ColumnElement[str]:
    return sa.func.jsonb_typeof(storage.raw)


def _json_number(storage: Storage) -> sa.ColumnElement[Any]:
    text, kind = storage.text, _json_type(storage)
    numeric = sa.or_(kind == _constant("number"), kind == _constant("string"))
    return sa.case((sa.and_(numeric, text.op("~")(_constant(_NUMBER))), sa.cast(text, pg.DOUBLE_PRECISION)))


def _json_boolean(storage: Storage) -> sa.ColumnElement[Any]:
    return sa.case((_json_type(storage) == _constant("boolean"), sa.cast(storage.text, sa.Boolean)))


def _json_time(storage: Storage) -> sa.ColumnElement[Any]:
    """ISO 8601 text as an instant (no offset: UTC); NULL for any other value, an impossible day included."""
    text = storage.text
    month_start = sa.cast(sa.func.substr(text, 1, 7).concat("-01"), sa.Date)
    last_day = sa.extract("day", month_start + sa.text("interval '1 month'") - sa.text("interval '1 day'"))
    day_fits = sa.cast(sa.func.substr(text, 9, 2), sa.Integer) <= last_day
    instant = sa.case(
        (text.regexp_match(_HAS_OFFSET) & (sa.func.length(text) > 10), sa.cast(text, sa.DateTime(timezone=True))),
        else_=sa.func.timezone("UTC", sa.cast(text, sa.DateTime())),
    )
    shaped = sa.and_(_json_type(storage) == "string", text.regexp_match(_ISO_TIME))
    return sa.case((shaped, sa.case((day_fits, instant))))


def _json_list(storage: Storage) -> sa.ColumnElement[Any]:
    """A JSONB array joined with commas as JavaScript's String(list) does; NULL for anything else."""
    items = sa.func.jsonb_array_elements_text(storage.raw).table_valued("value", with_ordinality="ordinality")
    joined = (
        sa.select(sa.func.coalesce(sa.func.string_agg(items.c.value, sa.literal_column("',' ORDER BY ordinality")), ""))
        .select_from(items)
        .scalar_subquery()
    )
    return sa.case((_json_type(storage) == "array", joined))


_JSON_VALUES: dict[Kind, Callable[[Storage], sa.ColumnElement[Any]]] = {
    Kind.TEXT: lambda storage: storage.text,
    Kind.NUMBER: _json_number,
    Kind.BOOLEAN: _json_boolean,
    Kind.DATE: _json_time,
    Kind.DATETIME: _json_time,
    Kind.LIST: _json_list,
    Kind.JSON: lambda storage: storage.raw,
}


def _false() -> Predicate:
    return sa.false()


def _not_null_and(storage: Storage, predicate: Predicate) -> Predicate:
    """``predicate`` made two-valued: false where the value is null."""
    column = storage.column
    if storage.in_json:
        return sa.func.coalesce(predicate, sa.false())
    if isinstance(column, sa.Column) and not column.nullable and storage.kind is not Kind.LIST:
        return predicate
    return sa.and_(storage.value.is_not(None), predicate)


# --- text -----------------------------------------------------------------------------------------


def _text_equals_any(storage: Storage, wanted: Sequence[str]) -> Predicate:
    """The value is one of ``wanted`` (lowered text), case-insensitively; exact options when it has them."""
    if storage.options and storage.kind is Kind.TEXT:
        exact = [option for option in storage.options if option.lower() in wanted]
        if not exact:
            return _false()
        if storage.in_json:
            return sa.or_(
                *(storage.column.op("@>", is_comparison=True)(sa.cast({storage.key: o}, pg.JSONB)) for o in exact)
            )
        return storage.value.in_(exact) if len(exact) > 1 else storage.value == exact[0]
    if not wanted:
        return _false()
    if storage.lowercase and storage.kind is Kind.TEXT:
        return storage.value.in_(list(wanted)) if len(wanted) > 1 else storage.value == wanted[0]
    lowered = sa.func.lower(storage.value)
    return _not_null_and(storage, lowered.in_(list(wanted)) if len(wanted) > 1 else lowered == wanted[0])


def _empty(storage: Storage) -> Predicate:
    """What the empty operator matches: null, whitespace-only text, an empty list."""
    if storage.in_json:
        raw = storage.raw
        by_type = sa.case(
            (_json_type(storage) == "string", sa.func.btrim(storage.text, JS_WHITESPACE) == ""),
            (_json_type(storage) == "array", sa.func.jsonb_array_length(raw) == 0),
            (_json_type(storage) == "null", sa.true()),
            else_=sa.false(),
        )
        return sa.or_(raw.is_(None), by_type)
    if storage.kind is Kind.TEXT:
        return sa.or_(storage.column.is_(None), sa.func.btrim(storage.column, JS_WHITESPACE) == "")
    if storage.kind is Kind.LIST:
        return sa.or_(storage.column.is_(None), sa.func.cardinality(storage.column) == 0)
    return storage.column.is_(None)


def _like_pattern(needle: str) -> str:
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# --- the operators ---------------------------------------------------------------------------------


def _eq(storage: Storage, expected: Any) -> Predicate:
    if expected is None:
        return storage.is_null()
    kind = storage.kind
    if kind in (Kind.TEXT, Kind.LIST):
        return _text_equals_any(storage, [lowered_text(expected)])
    if kind is Kind.NUMBER:
        number = _canonical_number(expected)
        return _false() if number is None else _not_null_and(storage, storage.value == number)
    if kind is Kind.BOOLEAN:
        text = lowered_text(expected)
        if text not in ("true", "false"):
            return _false()
        return storage.value.is_(sa.true() if text == "true" else sa.false())
    if kind in (Kind.DATE, Kind.DATETIME):
        time = iso_to_epoch_ms(expected) if isinstance(expected, str) else None
        instant = _instant(time) if time is not None else None
        if instant is None:
            return _false()
        if kind is Kind.DATE and not storage.in_json:
            day = instant.date()
            return _not_null_and(storage, storage.value == day) if _midnight(instant) else _false()
        return _not_null_and(storage, storage.value == instant)
    return _false()


def _canonical_number(expected: Any) -> float | None:
    """The number whose JavaScript text is ``expected``'s (lowered); None when no number prints so."""
    text = lowered_text(expected)
    number = js_number(text)
    if number != number or number in (float("inf"), float("-inf")):
        return None
    return number if js_string(number).lower() == text else None


def _in(storage: Storage, expected: Any) -> Predicate:
    if not isinstance(expected, list | tuple):
        return _false()
    wanted = sorted({lowered_text(item) for item in expected if item is not None})
    matched = _text_equals_any(storage, wanted)
    if any(item is None for item in expected):
        return sa.or_(storage.is_null(), matched)
    return matched


def _contains(storage: Storage, expected: Any) -> Predicate:
    # A missing value reads as "" (which holds only ""); a null needle is the text "null".
    text = sa.func.coalesce(storage.value, "")
    return text.ilike(_like_pattern(lowered_text(expected)), escape="\\")


_ORDER: dict[str, Callable[[Any, Any], Any]] = {
    "gt": lambda a, b: a > b,
    "lt": lambda a, b: a < b,
    "gte": lambda a, b: a >= b,
    "lte": lambda a, b: a <= b,
}


def _ordering(name: str) -> Callable[[Storage, Any], Predicate]:
    compare = _ORDER[name]  # the same on Python numbers and on SQL expressions

    def compile_ordering(storage: Storage, expected: Any) -> Predicate:
        # A null (or a value not of the field's type) reads as 0, as the evaluator's Number() does.
        if storage.kind in (Kind.DATE, Kind.DATETIME):
            limit = _time_or_number(expected)
            matched = _compare_time(storage, name, limit)
        else:
            limit = float(js_number_or_zero(expected))
            matched = _not_null_and(storage, compare(storage.value, limit))
        return sa.or_(storage.value.is_(None), matched) if compare(0, limit) else matched

    return compile_ordering


def _time_or_number(value: Any) -> float:
    if isinstance(value, str):
        time = iso_to_epoch_ms(value)
        if time is not None:
            return time
    return float(js_number_or_zero(value))


def _instant(ms: float) -> datetime | None:
    try:
        return _EPOCH + timedelta(milliseconds=ms)
    except OverflowError:
        return None


def _midnight(instant: datetime) -> bool:
    return instant.time() == datetime.min.time()


def _compare_time(storage: Storage, name: str, ms: float) -> Predicate:
    instant = _instant(ms)
    if instant is None:  # beyond any date: every value is on one side
        return _not_null_and(storage, sa.true() if (name in ("lt", "lte")) == (ms > 0) else sa.false())
    if storage.kind is Kind.DATE and not storage.in_json:
        # A date is its midnight (UTC): compare days, the instant's day rounded the way the operator needs.
        day: date = instant.date()
        whole_day = _midnight(instant)
        operator = {"gt": "gt", "lte": "lte", "gte": "gte" if whole_day else "gt", "lt": "lt" if whole_day else "lte"}
        return _not_null_and(storage, _ORDER[operator[name]](storage.value, day))
    return _not_null_and(storage, _ORDER[name](storage.value, instant))


OPERATOR_SQL: dict[str, Callable[[Storage, Any], Predicate]] = {
    "eq": _eq,
    "neq": lambda storage, expected: sa.not_(_eq(storage, expected)),
    "empty": lambda storage, expected: _empty(storage),
    "notEmpty": lambda storage, expected: sa.not_(_empty(storage)),
    "gt": _ordering("gt"),
    "lt": _ordering("lt"),
    "gte": _ordering("gte"),
    "lte": _ordering("lte"),
    "contains": _contains,
    "in": _in,
    "notIn": lambda storage, expected: sa.not_(_in(storage, expected)),
}
