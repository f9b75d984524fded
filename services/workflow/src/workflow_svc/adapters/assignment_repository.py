"""Step assignments (who reviews a step), the round-robin counter, live loads, and the user directory
that names reviewers in lists."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from plenary_contracts.catalog import workflow as contract
from plenary_contracts.enums import AssignmentStrategy, ParticipantStatus

from ..domain.assignment import Assignee
from .records import KnownUser, StepAssignment, from_row
from .tables import participant, participant_assignment, step, step_assignment, user_directory, workflow

Db = AsyncSession | AsyncConnection

_OPEN = (ParticipantStatus.PENDING, ParticipantStatus.IN_PROGRESS)


# --- what the engine reads when a participant arrives ----------------------------------------------


async def active_assignees(db: Db, step_id: str) -> list[Assignee]:
    """The step's active assignments, oldest first (the first one's strategy is the step's)."""
    query = (
        sa.select(step_assignment.c.id, step_assignment.c.user_id, step_assignment.c.strategy)
        .where(step_assignment.c.step_id == step_id, step_assignment.c.is_active)
        .order_by(step_assignment.c.created_at, step_assignment.c.id)
    )
    return [Assignee(r.id, r.user_id, r.strategy) for r in await db.execute(query)]


async def advance_round_robin(db: Db, step_id: str) -> int:
    """Advance the step's round-robin counter and return the new value (1, 2, ...).

    One atomic ``UPDATE … RETURNING`` (reading and rewriting an index would lose updates under
    concurrency); concurrent callers queue on the row lock and each gets its own
    value. The step's ``updated_at`` (its ETag) does not move: nothing an editor sees changed.
    """
    statement = (
        sa.update(step)
        .where(step.c.id == step_id)
        .values(round_robin_counter=step.c.round_robin_counter + 1, updated_at=step.c.updated_at)
        .returning(step.c.round_robin_counter)
    )
    return int((await db.execute(statement)).scalar_one())


async def open_loads(db: Db, step_id: str, user_ids: Iterable[str]) -> dict[str, int]:
    """For LEAST_LOADED: how many participants each user has open at this step right now.

    Counts live assignments: active ``participant_assignment`` rows at the step whose participant is
    still there (``current_step_id``), PENDING or IN_PROGRESS, and not deleted. Approvals at the step
    would measure work done, not work waiting.
    Every user asked about is in the answer (0 when idle).
    """
    wanted = list(dict.fromkeys(user_ids))
    loads = dict.fromkeys(wanted, 0)
    if not wanted:
        return loads
    query = (
        sa.select(participant_assignment.c.user_id, sa.func.count().label("load"))
        .join(participant, participant.c.id == participant_assignment.c.participant_id)
        .where(
            participant_assignment.c.step_id == step_id,
            participant_assignment.c.is_active,
            participant_assignment.c.user_id.in_(wanted),
            participant.c.current_step_id == step_id,
            participant.c.status.in_(_OPEN),
            participant.c.deleted_at.is_(None),
        )
        .group_by(participant_assignment.c.user_id)
    )
    for row in await db.execute(query):
        loads[row.user_id] = row.load
    return loads


# --- assignments -----------------------------------------------------------------------------------


async def upsert(
    db: AsyncSession,
    *,
    tenant_id: str,
    step_id: str,
    user_id: str,
    strategy: AssignmentStrategy,
    assigned_by: str,
    now: datetime,
    assignment_id: str,
) -> StepAssignment:
    """Assign, or reactivate the (step, user) assignment with the new strategy and assigner; an old
    assignment keeps its ``created_at``, so its place in the rotation."""
    statement = insert(step_assignment).values(
        id=assignment_id,
        tenant_id=tenant_id,
        step_id=step_id,
        user_id=user_id,
        strategy=strategy,
        is_active=True,
        assigned_by=assigned_by,
        created_at=now,
        updated_at=now,
    )
    statement = statement.on_conflict_do_update(
        index_elements=[step_assignment.c.step_id, step_assignment.c.user_id],
        set_={
            "is_active": True,
            "strategy": statement.excluded.strategy,
            "assigned_by": statement.excluded.assigned_by,
            "updated_at": statement.excluded.updated_at,
        },
    ).returning(step_assignment.c.id)
    return await _described(db, (await db.execute(statement)).scalar_one())


async def get(db: Db, assignment_id: str, tenant_id: str, *, for_update: bool = False) -> StepAssignment | None:
    """An assignment of the tenant on a step of a live workflow, described (see ``_describe``)."""
    query = _describe().where(
        step_assignment.c.id == assignment_id,
        step_assignment.c.tenant_id == tenant_id,
        workflow.c.deleted_at.is_(None),
    )
    if for_update:
        query = query.with_for_update(of=step_assignment)
    found = (await db.execute(query)).first()
    return from_row(StepAssignment, found) if found is not None else None


async def deactivate(db: AsyncSession, assignment_id: str, now: datetime) -> StepAssignment:
    await db.execute(
        sa.update(step_assignment).where(step_assignment.c.id == assignment_id).values(is_active=False, updated_at=now)
    )
    return await _described(db, assignment_id)


async def of_step(db: Db, step_id: str) -> list[StepAssignment]:
    query = (
        _describe()
        .where(step_assignment.c.step_id == step_id, step_assignment.c.is_active)
        .order_by(step_assignment.c.created_at, step_assignment.c.id)
    )
    return [from_row(StepAssignment, r) for r in await db.execute(query)]


async def of_user(db: Db, user_id: str, tenant_id: str) -> list[StepAssignment]:
    query = (
        _describe()
        .where(
            step_assignment.c.user_id == user_id,
            step_assignment.c.tenant_id == tenant_id,
            step_assignment.c.is_active,
            workflow.c.deleted_at.is_(None),
        )
        .order_by(step_assignment.c.created_at.desc(), step_assignment.c.id.desc())
    )
    return [from_row(StepAssignment, r) for r in await db.execute(query)]


def to_assignment(row: StepAssignment) -> contract.StepAssignment:
    values = {c.name: getattr(row, c.name) for c in step_assignment.columns}
    user = (
        contract.UserSummary(id=row.user_id, name=row.user_name, email=row.user_email)
        if row.user_known is not None
        else None
    )
    summary = contract.WorkflowSummary(id=row.workflow_id, name=row.workflow_name, event_id=row.event_id)
    return contract.StepAssignment.model_validate(
        values | {"user": user, "step_name": row.step_name, "workflow": summary}
    )


def _describe() -> sa.Select[Any]:
    """An assignment with its user (when the directory knows it), its step's name and its workflow."""
    return (
        sa.select(
            step_assignment,
            user_directory.c.id.label("user_known"),
            user_directory.c.name.label("user_name"),
            user_directory.c.email.label("user_email"),
            step.c.name.label("step_name"),
            step.c.workflow_id,
            workflow.c.name.label("workflow_name"),
            workflow.c.event_id,
        )
        .join(step, step.c.id == step_assignment.c.step_id)
        .join(workflow, workflow.c.id == step.c.workflow_id)
        .outerjoin(user_directory, user_directory.c.id == step_assignment.c.user_id)
    )


async def described(db: Db, assignment_ids: list[str]) -> list[StepAssignment]:
    """Several assignments, described, in one query."""
    query = _describe().where(step_assignment.c.id.in_(assignment_ids)).order_by(step_assignment.c.id)
    return [from_row(StepAssignment, r) for r in await db.execute(query)]


async def _described(db: Db, assignment_id: str) -> StepAssignment:
    return from_row(StepAssignment, (await db.execute(_describe().where(step_assignment.c.id == assignment_id))).one())


# --- the user directory (identity's users) ---------------------------------------------------------


async def known_user(db: Db, user_id: str) -> KnownUser | None:
    found = (await db.execute(sa.select(user_directory).where(user_directory.c.id == user_id))).first()
    return from_row(KnownUser, found) if found is not None else None


async def remember_user(
    db: AsyncSession, *, user_id: str, tenant_id: str | None, name: str | None, email: str | None, updated_at: datetime
) -> None:
    """Keep a user's name and e-mail; an older event never overwrites a newer one."""
    statement = insert(user_directory).values(
        id=user_id, tenant_id=tenant_id, name=name, email=email, updated_at=updated_at
    )
    await db.execute(
        statement.on_conflict_do_update(
            index_elements=[user_directory.c.id],
            set_={
                "tenant_id": statement.excluded.tenant_id,
                "name": statement.excluded.name,
                "email": statement.excluded.email,
                "updated_at": statement.excluded.updated_at,
            },
            where=user_directory.c.updated_at <= statement.excluded.updated_at,
        )
    )


async def forget_user(db: AsyncSession, user_id: str, now: datetime) -> list[StepAssignment]:
    """A deleted user: its step assignments go (as a cascade would), its open participant
    assignments end so those participants can be assigned again, its directory entry goes.
    Returns the step assignments that were active, described as they were."""
    active = [r for r in await _all_of_user(db, user_id) if r.is_active]
    await db.execute(sa.delete(step_assignment).where(step_assignment.c.user_id == user_id))
    await db.execute(
        sa.update(participant_assignment)
        .where(participant_assignment.c.user_id == user_id, participant_assignment.c.is_active)
        .values(is_active=False, updated_at=now)
    )
    await db.execute(sa.delete(user_directory).where(user_directory.c.id == user_id))
    return active


async def _all_of_user(db: Db, user_id: str) -> list[StepAssignment]:
    query = _describe().where(step_assignment.c.user_id == user_id).with_for_update(of=step_assignment)
    return [from_row(StepAssignment, r) for r in await db.execute(query)]
