"""Turn a unique violation into a 409 naming the field, without spoiling the transaction."""

from collections.abc import Mapping
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from plenary_contracts.errors import Conflict


def violated_constraint(error: IntegrityError) -> str | None:
    diag = getattr(error.orig, "diag", None)
    return getattr(diag, "constraint_name", None)


async def execute_unique(session: AsyncSession, statement: Any, what: str, fields: Mapping[str, str]) -> Any:
    """Run ``statement`` in a savepoint; a violation of a constraint in ``fields`` (constraint name →
    wire field) is a Conflict naming the field, anything else is re-raised."""
    try:
        async with session.begin_nested():
            return await session.execute(statement)
    except IntegrityError as error:
        field = fields.get(violated_constraint(error) or "")
        if field is None:
            raise
        raise Conflict(f"another {what} already has this {field}", details={"field": field}) from error
