"""An event's workflows read whole for a copy, written into the clone once (a repeated copy finds its rows
by their derived ids and inserts nothing), and deleted with everything under them when the clone is
undone. One statement per table each way (two for steps), whatever the number of workflows."""

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession

from .assignment_repository import described
from .records import AutoActionRule, Step, StepAssignment, Workflow, from_row
from .tables import auto_action_rule, step, step_assignment, workflow
from .workflow_repository import TARGETS

_LINKS = (*TARGETS, "config")


@dataclasses.dataclass(frozen=True)
class EventWorkflows:
    """An event's live workflows with their steps, their steps' active assignments and rules, as rows."""

    workflows: list[dict[str, Any]]
    steps: list[dict[str, Any]]
    assignments: list[dict[str, Any]]
    rules: list[dict[str, Any]]


@dataclasses.dataclass(frozen=True)
class Dropped:
    workflows: list[Workflow]
    steps: int
    assignments: int
    rules: int


async def event_workflows(db: AsyncSession, tenant_id: str, event_id: str) -> EventWorkflows:
    workflows = await _rows(
        db,
        sa.select(workflow)
        .where(workflow.c.tenant_id == tenant_id, workflow.c.event_id == event_id, workflow.c.deleted_at.is_(None))
        .order_by(workflow.c.created_at, workflow.c.id),
    )
    workflow_ids = [w["id"] for w in workflows]
    steps = await _rows(
        db, sa.select(step).where(step.c.workflow_id.in_(workflow_ids)).order_by(step.c.workflow_id, step.c.order)
    )
    step_ids = [s["id"] for s in steps]
    assignments = await _rows(
        db,
        sa.select(step_assignment)
        .where(step_assignment.c.step_id.in_(step_ids), step_assignment.c.is_active)
        .order_by(step_assignment.c.created_at, step_assignment.c.id),
    )
    rules = await _rows(
        db,
        sa.select(auto_action_rule)
        .where(auto_action_rule.c.step_id.in_(step_ids))
        .order_by(auto_action_rule.c.created_at, auto_action_rule.c.id),
    )
    return EventWorkflows(workflows, steps, assignments, rules)


async def _rows(db: AsyncSession, query: sa.Select[Any]) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in await db.execute(query)]


async def insert_workflows(db: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> list[Workflow]:
    """The rows not there yet; those inserted now are returned."""
    inserted = await _insert_new(db, workflow, rows)
    return [Workflow(**r._mapping, current_version=None) for r in inserted]


async def insert_steps(db: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> list[Step]:
    """Two passes: the steps with no links first, then the targets and configs of those inserted now, which
    may name any of them (forward references too). Returned as linked."""
    unlinked = [{**row, **dict.fromkeys(TARGETS), "config": {}} for row in rows]
    inserted = {r.id: from_row(Step, r) for r in await _insert_new(db, step, unlinked)}
    links = [{"id": row["id"], **{name: row[name] for name in _LINKS}} for row in rows if row["id"] in inserted]
    if links:
        given = _records(step, links)
        statement = sa.update(step).where(step.c.id == given.c.id).values({name: given.c[name] for name in _LINKS})
        await db.execute(statement, {"records": _as_json(links)})
    return [dataclasses.replace(inserted[link["id"]], **{name: link[name] for name in _LINKS}) for link in links]


async def insert_assignments(db: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> list[StepAssignment]:
    """Returned described (user, step, workflow), as their announcements carry them."""
    inserted = [r.id for r in await _insert_new(db, step_assignment, rows)]
    return await described(db, inserted) if inserted else []


async def insert_rules(db: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> list[AutoActionRule]:
    return [from_row(AutoActionRule, r) for r in await _insert_new(db, auto_action_rule, rows)]


async def _insert_new(db: AsyncSession, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> list[sa.Row[Any]]:
    """Insert, skipping rows whose id is taken (a copy made before); only a clash on the id is skipped,
    any other (a workflow name taken in the target) fails the copy."""
    if not rows:
        return []
    given = _records(table, rows)
    names = list(rows[0])
    statement = (
        insert(table)
        .from_select(names, sa.select(*(given.c[name] for name in names)))
        .on_conflict_do_nothing(index_elements=[table.c.id])
        .returning(*table.columns)
    )
    return list(await db.execute(statement, {"records": _as_json(rows)}))


def _records(table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> Any:
    """The rows as one JSON parameter read back as a table (``jsonb_to_recordset``), typed as ``table``'s
    columns: one parameter however many rows, so the statement is prepared once (a VALUES list of a
    thousand rows costs the driver more to convert than the database to run)."""
    columns = [sa.column(name, table.c[name].type) for name in rows[0]]
    recordset = sa.func.jsonb_to_recordset(sa.bindparam("records", type_=JSONB))
    return recordset.table_valued(*columns).render_derived(name="given", with_types=True)


def _as_json(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v.isoformat() if isinstance(v, datetime) else v for k, v in row.items()} for row in rows]


async def drop_event_workflows(db: AsyncSession, tenant_id: str, event_id: str) -> Dropped:
    """Delete the event's workflows (deleted ones too) and, before them, their rules, assignments and
    steps, counted; versions, approvals and branches go by cascade. Returns the workflows as they were."""
    of_event = sa.select(workflow.c.id).where(workflow.c.tenant_id == tenant_id, workflow.c.event_id == event_id)
    steps_of_event = sa.select(step.c.id).where(step.c.workflow_id.in_(of_event))
    rules = await _deleted(db, auto_action_rule, auto_action_rule.c.step_id.in_(steps_of_event))
    assignments = await _deleted(db, step_assignment, step_assignment.c.step_id.in_(steps_of_event))
    steps = await _deleted(db, step, step.c.workflow_id.in_(of_event))
    statement = sa.delete(workflow).where(workflow.c.id.in_(of_event)).returning(*workflow.columns)
    workflows = [Workflow(**r._mapping, current_version=None) for r in await db.execute(statement)]
    return Dropped(workflows=workflows, steps=steps, assignments=assignments, rules=rules)


async def _deleted(db: AsyncSession, table: sa.Table, where: sa.ColumnElement[bool]) -> int:
    return len((await db.execute(sa.delete(table).where(where).returning(table.c.id))).all())
