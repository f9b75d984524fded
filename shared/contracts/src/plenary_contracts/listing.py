"""Listing conventions shared by every list: page, pageSize, sort, fields, and the ``meta`` block."""

import math
from typing import Generic, Literal, TypeVar

from pydantic import Field, field_validator

from .model import Model

MAX_PAGE_SIZE = 100
MAX_PAGE = 1_000_000
DEFAULT_SORT = "createdAt:desc"


class ListQuery(Model):
    """Base of every list request; a list adds its own filters."""

    page: int = Field(1, ge=1, le=MAX_PAGE, description="1-based page number.")
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE, description="Items per page, at most 100.")
    sort: str = Field(
        DEFAULT_SORT,
        pattern=r"^[A-Za-z][A-Za-z0-9_]*:(asc|desc)$",
        description="`field:asc` or `field:desc`; the field must be one the list sorts by.",
    )
    fields: str | None = Field(
        None,
        pattern=r"^[A-Za-z][A-Za-z0-9_]*(,[A-Za-z][A-Za-z0-9_]*)*$",
        description="Comma-separated fields to return; `id` is always included.",
    )

    @field_validator("fields")
    @classmethod
    def _no_empty_fields(cls, value: str | None) -> str | None:
        return value or None

    @property
    def sort_field(self) -> str:
        return self.sort.partition(":")[0]

    @property
    def sort_direction(self) -> Literal["asc", "desc"]:
        return "asc" if self.sort.endswith(":asc") else "desc"

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


class PageMeta(Model):
    page: int
    page_size: int
    total: int
    total_pages: int

    @classmethod
    def of(cls, query: ListQuery, total: int) -> "PageMeta":
        return cls(
            page=query.page,
            page_size=query.page_size,
            total=total,
            total_pages=math.ceil(total / query.page_size) if total else 0,
        )


def sparse(item: dict, fields: str | None) -> dict:
    """Keep only the requested fields of one serialised item; ``id`` always stays."""
    if not fields:
        return item
    wanted = {"id", *fields.split(",")}
    return {k: v for k, v in item.items() if k in wanted}


T = TypeVar("T")


class Page(Model, Generic[T]):
    """The reply of every list: the items and the ``meta`` block.

    Subclass it with a name (``class UserPage(Page[User])``) so schemas and documents name it well.
    """

    data: list[T]
    meta: PageMeta
