"""The dashboard's reads: sums over the current generation's projections, filtered by tenant, event,
participant type and dates. Counts of participants come from per-bucket rows, so their cost does not grow
with the number of participants."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

CURRENT = "(SELECT current FROM analytics.projection_generation WHERE id = 1)"


@dataclass(frozen=True)
class Scope:
    tenant_id: str
    event_id: str | None = None
    participant_type_id: str | None = None
    date_from: date | None = None
    date_to: date | None = None


def _where(scope: Scope, day: str, *, typed: bool = True) -> tuple[str, dict[str, Any]]:
    """The filter of a projection read; ``day`` is the expression of the row's UTC day."""
    clauses = [f"generation = {CURRENT}", "tenant_id = :tenant_id"]
    params: dict[str, Any] = {"tenant_id": scope.tenant_id}
    if scope.event_id is not None:
        clauses.append("event_id = :event_id")
        params["event_id"] = scope.event_id
    if typed and scope.participant_type_id is not None:
        clauses.append("participant_type_id = :participant_type_id")
        params["participant_type_id"] = scope.participant_type_id
    if scope.date_from is not None:
        clauses.append(f"{day} >= :date_from")
        params["date_from"] = scope.date_from
    if scope.date_to is not None:
        clauses.append(f"{day} <= :date_to")
        params["date_to"] = scope.date_to
    return " AND ".join(clauses), params


_HOUR_DAY = "(hour AT TIME ZONE 'UTC')::date"


async def by_status(session: AsyncSession, scope: Scope) -> tuple[dict[str, int], float]:
    """Live participants per status, and the sum of the decided ones' processing seconds."""
    where, params = _where(scope, "day")
    rows = await session.execute(
        sa.text(
            "SELECT status, sum(count) AS n, sum(processing_seconds) AS seconds FROM analytics.participant_count"
            f" WHERE {where} GROUP BY status HAVING sum(count) > 0"
        ),
        params,
    )
    found = rows.all()
    return {row.status: int(row.n) for row in found}, float(sum(row.seconds for row in found))


async def by_event(session: AsyncSession, tenant_id: str) -> list[tuple[str, str, int]]:
    """(event id, name, live participants) of the tenant's live events, most participants first."""
    rows = await session.execute(
        sa.text(
            "SELECT e.id, e.name, coalesce(c.n, 0) AS n FROM analytics.event_directory e"
            " LEFT JOIN (SELECT event_id, sum(count) AS n FROM analytics.participant_count"
            f"  WHERE generation = {CURRENT} AND tenant_id = :tenant_id GROUP BY event_id) c ON c.event_id = e.id"
            f" WHERE e.generation = {CURRENT} AND e.tenant_id = :tenant_id AND NOT e.deleted"
            " ORDER BY n DESC, e.name, e.id"
        ),
        {"tenant_id": tenant_id},
    )
    return [(row.id, row.name, int(row.n)) for row in rows]


async def per_step(session: AsyncSession, scope: Scope) -> dict[tuple[str, str], dict[str, int]]:
    where, params = _where(scope, _HOUR_DAY)
    rows = await session.execute(
        sa.text(
            "SELECT step_id, max(step_name) AS step_name, kind, sum(count) AS n FROM analytics.step_activity"
            f" WHERE {where} GROUP BY step_id, kind"
        ),
        params,
    )
    out: dict[tuple[str, str], dict[str, int]] = {}
    names: dict[str, str] = {}
    for row in rows:
        name = names.setdefault(row.step_id, row.step_name)
        out.setdefault((row.step_id, name), {})[row.kind] = int(row.n)
    return out


async def actions_per_hour(
    session: AsyncSession, scope: Scope, kinds: tuple[str, ...]
) -> list[tuple[datetime, str, str, int]]:
    where, params = _where(scope, _HOUR_DAY)
    rows = await session.execute(
        sa.text(
            "SELECT hour, step_id, max(step_name) AS step_name, sum(count) AS n FROM analytics.step_activity"
            f" WHERE {where} AND kind = ANY(CAST(:kinds AS text[])) GROUP BY hour, step_id ORDER BY hour, step_id"
        ),
        {**params, "kinds": list(kinds)},
    )
    return [(row.hour, row.step_id, row.step_name, int(row.n)) for row in rows]


async def scans_per_hour(session: AsyncSession, scope: Scope) -> list[tuple[str, datetime, str, int]]:
    """(checkpoint, hour, movement, count): admitted in, admitted out, or refused ('')."""
    where, params = _where(scope, _HOUR_DAY, typed=False)
    rows = await session.execute(
        sa.text(
            "SELECT checkpoint_id, hour, movement, sum(count) AS n FROM analytics.checkpoint_activity"
            f" WHERE {where} GROUP BY checkpoint_id, hour, movement ORDER BY checkpoint_id, hour"
        ),
        params,
    )
    return [(row.checkpoint_id, row.hour, row.movement, int(row.n)) for row in rows]


async def usage(session: AsyncSession, scope: Scope) -> list[tuple[str, int]]:
    where, params = _where(scope, _HOUR_DAY, typed=False)
    rows = await session.execute(
        sa.text(
            f"SELECT kind, sum(count) AS n FROM analytics.usage_activity WHERE {where} GROUP BY kind ORDER BY kind"
        ),
        params,
    )
    return [(row.kind, int(row.n)) for row in rows]


async def event_exists(session: AsyncSession, tenant_id: str, event_id: str) -> bool:
    found = await session.execute(
        sa.text(
            "SELECT 1 FROM analytics.event_directory"
            f" WHERE generation = {CURRENT} AND tenant_id = :tenant_id AND id = :event_id AND NOT deleted"
        ),
        {"tenant_id": tenant_id, "event_id": event_id},
    )
    return found.first() is not None


async def tenants_with_participants(session: AsyncSession) -> list[str]:
    rows = await session.execute(
        sa.text(f"SELECT DISTINCT tenant_id FROM analytics.participant_count WHERE generation = {CURRENT}")
    )
    return list(rows.scalars())


@dataclass(frozen=True)
class DashboardCounts:
    event_live: bool  # the event asked for is a live event of the tenant (True when none was asked for)
    by_status: dict[str, int]
    events: list[tuple[str, str, int]]  # (id, name, live participants), most first
    workflows: int
    registrations: dict[date, int]
    approvals: dict[date, int]


async def dashboard(
    session: AsyncSession, tenant_id: str, event_id: str | None, first_day: date, last_day: date
) -> DashboardCounts:
    """Everything the dashboard shows, in one statement (one round trip, one snapshot)."""
    row = (
        await session.execute(
            sa.text(
                "WITH g AS (SELECT current AS generation FROM analytics.projection_generation WHERE id = 1),"
                " counts AS (SELECT c.event_id, c.status, c.day, c.count FROM analytics.participant_count c, g"
                "  WHERE c.generation = g.generation AND c.tenant_id = :tenant_id),"
                " scoped AS (SELECT * FROM counts WHERE CAST(:event_id AS text) IS NULL OR event_id = :event_id),"
                " per_event AS (SELECT event_id, sum(count) AS n FROM counts GROUP BY event_id),"
                " events AS (SELECT e.id, e.name, coalesce(p.n, 0) AS n FROM analytics.event_directory e"
                "  JOIN g ON e.generation = g.generation LEFT JOIN per_event p ON p.event_id = e.id"
                "  WHERE e.tenant_id = :tenant_id AND NOT e.deleted)"
                " SELECT"
                " (CAST(:event_id AS text) IS NULL"
                "  OR EXISTS (SELECT 1 FROM events WHERE id = :event_id)) AS event_live,"
                " (SELECT coalesce(json_object_agg(status, n), '{}') FROM"
                "  (SELECT status, sum(count) AS n FROM scoped GROUP BY status HAVING sum(count) > 0) s) AS by_status,"
                " (SELECT coalesce(json_agg(json_build_array(id, name, n) ORDER BY n DESC, name, id), '[]')"
                "  FROM events) AS events,"
                " (SELECT count(*) FROM analytics.workflow_directory w, g WHERE w.generation = g.generation"
                "  AND w.tenant_id = :tenant_id AND NOT w.deleted"
                "  AND (CAST(:event_id AS text) IS NULL OR w.event_id = :event_id)) AS workflows,"
                " (SELECT coalesce(json_object_agg(day, n), '{}') FROM (SELECT day, sum(count) AS n FROM scoped"
                "  WHERE day BETWEEN :first_day AND :last_day GROUP BY day) r) AS registrations,"
                f" (SELECT coalesce(json_object_agg(day, n), '{{}}') FROM (SELECT {_HOUR_DAY} AS day, sum(count) AS n"
                "  FROM analytics.step_activity a, g WHERE a.generation = g.generation AND a.tenant_id = :tenant_id"
                "  AND (CAST(:event_id AS text) IS NULL OR a.event_id = :event_id) AND a.kind = 'APPROVE'"
                f"  AND {_HOUR_DAY} BETWEEN :first_day AND :last_day GROUP BY 1) x) AS approvals"
            ),
            {"tenant_id": tenant_id, "event_id": event_id, "first_day": first_day, "last_day": last_day},
        )
    ).one()
    return DashboardCounts(
        event_live=row.event_live,
        by_status={status: int(n) for status, n in row.by_status.items()},
        events=[(i, name, int(n)) for i, name, n in row.events],
        workflows=int(row.workflows),
        registrations={date.fromisoformat(day): int(n) for day, n in row.registrations.items()},
        approvals={date.fromisoformat(day): int(n) for day, n in row.approvals.items()},
    )
