"""Read models: a service's copy of another service's records, fed by its events."""

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ..logging import get_logger

log = get_logger(__name__)


def same_tenant(event_tenant_id: str | None, record_tenant_id: str | None, kind: str, record_id: str) -> bool:
    """Whether a record an event carries belongs to the event's tenant (an event without one is trusted); a record
    of another tenant is logged and must be ignored, never stored under the wrong tenant."""
    if event_tenant_id is not None and event_tenant_id != record_tenant_id:
        log.warning(
            "a record of another tenant than its event's; ignored", kind=kind, id=record_id, tenant=event_tenant_id
        )
        return False
    return True


async def upsert_if_newer(
    session: AsyncSession, table: sa.Table, values: dict[str, Any], versioned: Mapping[str, str] | None = None
) -> None:
    """Insert the record, or change the held one when this one is not older (``source_updated_at``, the owner's
    time of the change) and of the same tenant: events that arrive out of order never take a record back.

    ``versioned`` maps a column to the version column that orders it on its own: a value another producer also
    writes (a participant's status, decided by workflow and carried by registration's record) changes only when
    the record's version is at least the held one, and the held version never goes down.
    """
    statement = insert(table).values(**values)
    changes = {name: statement.excluded[name] for name in values if name not in ("id", "tenant_id")}
    for name, version in (versioned or {}).items():
        current = statement.excluded[version] >= table.c[version]
        changes[name] = sa.case((current, statement.excluded[name]), else_=table.c[name])
        changes[version] = sa.func.greatest(table.c[version], statement.excluded[version])
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c.id],
            set_=changes,
            where=sa.and_(
                table.c.tenant_id == statement.excluded.tenant_id,
                table.c.source_updated_at <= statement.excluded.source_updated_at,
            ),
        )
    )


async def set_if_newer_version(
    session: AsyncSession,
    table: sa.Table,
    tenant_id: str,
    row_id: str,
    values: Mapping[str, Any],
    version: str,
    at: int,
) -> bool:
    """Set ``values`` on a held row from a producer that versions them (workflow's decision on a participant),
    unless the row already holds version ``at`` or a newer one (a redelivered or reordered event); False when
    nothing changed, a row not held included."""
    result = await session.execute(
        sa.update(table)
        .where(table.c.id == row_id, table.c.tenant_id == tenant_id, table.c[version] < at)
        .values(**values, **{version: at})
        .returning(table.c.id)
    )
    return result.first() is not None
