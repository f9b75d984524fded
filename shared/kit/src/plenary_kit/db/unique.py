"""Unique constraints as 409s: the database decides, the caller learns which rule it broke."""

from collections.abc import Mapping
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from plenary_contracts.errors import Conflict


def violated_constraint(error: IntegrityError) -> str | None:
    return getattr(getattr(error.orig, "diag", None), "constraint_name", None)


async def execute_unique(db: AsyncSession, statement: Any, conflicts: Mapping[str, str | Conflict]) -> Any:
    """Run ``statement`` in a savepoint; breaking a unique constraint named in ``conflicts`` is a 409
    (the Conflict given, or one with the message given), anything else is re-raised."""
    try:
        async with db.begin_nested():
            return await db.execute(statement)
    except IntegrityError as error:
        conflict = conflicts.get(violated_constraint(error) or "")
        if conflict is None:
            raise
        raise (conflict if isinstance(conflict, Conflict) else Conflict(conflict)) from error
