"""Workflow's participant rows: the read model fed by registration, and where each participant is."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from plenary_contracts.catalog import registration
from plenary_contracts.catalog import workflow as contract
from plenary_contracts.enums import BranchStatus
from plenary_kit.ids import new_id

from ..domain.engine import condition_data
from .tables import approval, parallel_branch, participant, participant_assignment

Row = sa.Row[Any]

_DATA_FIELDS = (
    "event_id",
    "participant_type_id",
    "participant_type_code",
    "registration_code",
    "first_name",
    "last_name",
    "email",
    "organization",
    "job_title",
    "nationality",
    "extras",
)


async def get(
    session: AsyncSession, participant_id: str, tenant_id: str | None, *, for_update: bool = False
) -> Row | None:
    query = sa.select(participant).where(participant.c.id == participant_id, participant.c.deleted_at.is_(None))
    if tenant_id is not None:
        query = query.where(participant.c.tenant_id == tenant_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).first()


async def upsert_record(session: AsyncSession, record: registration.ParticipantRecord) -> Row:
    """Insert or refresh the read model; data older than what is held never overwrites it."""
    values = {field: getattr(record, field) for field in _DATA_FIELDS}
    statement = insert(participant).values(
        id=record.id, tenant_id=record.tenant_id, source_updated_at=record.updated_at, **values
    )
    excluded = statement.excluded
    statement = statement.on_conflict_do_update(
        index_elements=[participant.c.id],
        set_={
            **{f: getattr(excluded, f) for f in _DATA_FIELDS},
            "source_updated_at": excluded.source_updated_at,
            "updated_at": sa.func.now(),
        },
        where=participant.c.source_updated_at <= excluded.source_updated_at,
    ).returning(participant)
    row = (await session.execute(statement)).first()
    if row is None:  # an older event: keep what is held
        row = (await session.execute(sa.select(participant).where(participant.c.id == record.id))).one()
    return row


async def move(session: AsyncSession, participant_id: str, **values: Any) -> Row:
    """Change the participant's progress and bump its version (the caller holds the row lock)."""
    return (
        await session.execute(
            sa.update(participant)
            .where(participant.c.id == participant_id)
            .values(version=participant.c.version + 1, updated_at=sa.func.now(), **values)
            .returning(participant)
        )
    ).one()


async def last_approval_step(session: AsyncSession, participant_id: str, *, other_than: str | None) -> str | None:
    """The step of the participant's latest approval taken at a step other than ``other_than``."""
    query = sa.select(approval.c.step_id).where(approval.c.participant_id == participant_id)
    if other_than is not None:
        query = query.where(approval.c.step_id != other_than)
    return (await session.execute(query.order_by(approval.c.created_at.desc(), approval.c.id.desc()).limit(1))).scalar()


async def add_approval(
    session: AsyncSession,
    *,
    tenant_id: str,
    participant_id: str,
    step_id: str,
    user_id: str,
    action: str,
    remarks: str | None,
    metadata: Mapping[str, Any] | None,
) -> str:
    approval_id = new_id()
    await session.execute(
        sa.insert(approval).values(
            id=approval_id,
            tenant_id=tenant_id,
            participant_id=participant_id,
            step_id=step_id,
            user_id=user_id,
            action=action,
            remarks=remarks,
            metadata=dict(metadata) if metadata else None,
        )
    )
    return approval_id


async def live_branches(session: AsyncSession, participant_id: str, fork_step_id: str | None = None) -> list[Row]:
    query = sa.select(parallel_branch).where(
        parallel_branch.c.participant_id == participant_id, parallel_branch.c.archived_at.is_(None)
    )
    if fork_step_id is not None:
        query = query.where(parallel_branch.c.fork_step_id == fork_step_id)
    return list((await session.execute(query.order_by(parallel_branch.c.created_at, parallel_branch.c.id))).all())


async def archive_branches(
    session: AsyncSession, participant_ids: list[str], *, fork_step_id: str | None = None
) -> None:
    """Close earlier rounds (⚠ fix: re-entering a fork works); pending ones are cancelled."""
    where = [parallel_branch.c.participant_id.in_(participant_ids), parallel_branch.c.archived_at.is_(None)]
    if fork_step_id is not None:
        where.append(parallel_branch.c.fork_step_id == fork_step_id)
    await session.execute(
        sa.update(parallel_branch)
        .where(*where, parallel_branch.c.status == BranchStatus.PENDING)
        .values(status=BranchStatus.CANCELLED, updated_at=sa.func.now())
    )
    await session.execute(
        sa.update(parallel_branch).where(*where).values(archived_at=sa.func.now(), updated_at=sa.func.now())
    )


async def end_assignments(session: AsyncSession, participant_ids: list[str]) -> None:
    await session.execute(
        sa.update(participant_assignment)
        .where(participant_assignment.c.participant_id.in_(participant_ids), participant_assignment.c.is_active)
        .values(is_active=False, updated_at=sa.func.now())
    )


async def current_assignee(session: AsyncSession, participant_id: str, step_id: str | None) -> str | None:
    if step_id is None:
        return None
    return (
        await session.execute(
            sa.select(participant_assignment.c.user_id).where(
                participant_assignment.c.participant_id == participant_id,
                participant_assignment.c.step_id == step_id,
                participant_assignment.c.is_active,
            )
        )
    ).scalar()


def data_of(row: Row) -> dict[str, Any]:
    return condition_data(
        first_name=row.first_name,
        last_name=row.last_name,
        email=row.email,
        status=row.status.value if hasattr(row.status, "value") else row.status,
        organization=row.organization,
        job_title=row.job_title,
        nationality=row.nationality,
        participant_type_id=row.participant_type_id,
        participant_type_code=row.participant_type_code,
        extras=row.extras or {},
    )


def name_of(row: Row) -> str:
    return f"{row.first_name} {row.last_name}".strip()


def to_branch(row: Row) -> contract.BranchState:
    return contract.BranchState(
        id=row.id,
        fork_step_id=row.fork_step_id,
        branch_step_id=row.branch_step_id,
        status=row.status,
        action=row.action,
        completed_by=row.completed_by,
        completed_at=row.completed_at,
        remarks=row.remarks,
    )


def before_state(row: Row) -> dict[str, Any]:
    """What undo puts back: where the participant was, in JSON."""

    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value is not None else None

    return {
        "status": row.status.value if hasattr(row.status, "value") else row.status,
        "currentStepId": row.current_step_id,
        "workflowVersionId": row.workflow_version_id,
        "version": row.version,
        "stepEnteredAt": iso(row.step_entered_at),
        "slaWarnAt": iso(row.sla_warn_at),
        "slaDueAt": iso(row.sla_due_at),
    }
