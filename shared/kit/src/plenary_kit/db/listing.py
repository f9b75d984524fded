"""One implementation of the listing conventions: sort whitelist, page window, total."""

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from plenary_contracts.errors import FieldError, ValidationFailed
from plenary_contracts.listing import ListQuery, PageMeta


def contains_any(text: str, *columns: sa.ColumnElement[str]) -> sa.ColumnElement[bool]:
    """The ``q`` filter: any column contains ``text``, case-insensitively; ``%`` and ``_`` match themselves."""
    return sa.or_(*(column.icontains(text, autoescape=True) for column in columns))


async def fetch_page(
    session: AsyncSession,
    select: sa.Select[Any],
    query: ListQuery,
    sortable: Mapping[str, sa.ColumnElement[Any]],
    tiebreak: sa.ColumnElement[Any],
) -> tuple[list[sa.Row[Any]], PageMeta]:
    """Rows of one page of ``select`` and its ``meta``; ``sortable`` maps wire field names to columns.

    An unknown sort field is a validation error naming the fields that sort; ``tiebreak`` (the id)
    keeps pages stable when sort values repeat.
    """
    column = sortable.get(query.sort_field)
    if column is None:
        raise ValidationFailed(
            f"cannot sort by {query.sort_field!r}",
            errors=[
                FieldError(
                    loc=["query", "sort"],
                    msg=f"sort by one of: {', '.join(sorted(sortable))}",
                    type="value_error",
                )
            ],
        )
    counted = sa.select(sa.func.count()).select_from(select.order_by(None).subquery())
    total = (await session.execute(counted)).scalar_one()
    order = column.asc() if query.sort_direction == "asc" else column.desc()
    tie = tiebreak.asc() if query.sort_direction == "asc" else tiebreak.desc()
    rows = (await session.execute(select.order_by(order, tie).offset(query.offset).limit(query.page_size))).all()
    return list(rows), PageMeta.of(query, total)
