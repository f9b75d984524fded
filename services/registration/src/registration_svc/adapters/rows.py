"""Rows read from PostgreSQL as the small frozen dataclasses the application reads, and back."""

from dataclasses import fields
from typing import Any, TypeVar

import sqlalchemy as sa

T = TypeVar("T")


def row_as(record: type[T], row: sa.Row[Any]) -> T:
    """``row`` as a ``record`` dataclass: its fields by name (the row may hold more columns)."""
    values = row._mapping
    return record(**{f.name: values[f.name] for f in fields(record)})  # type: ignore[arg-type]


def values_of(record: Any) -> dict[str, Any]:
    """A record dataclass's fields by name (shallow: no copy of its dicts and lists)."""
    return {f.name: getattr(record, f.name) for f in fields(record)}
