"""Workflow's participant rows: the read model fed by registration, where each participant is, who
reviews it, its approvals and its parallel branches."""

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from plenary_contracts.catalog import registration
from plenary_contracts.catalog import workflow as workflow_contract
from plenary_contracts.enums import ApprovalAction, AssignmentStrategy, BranchStatus, ParticipantStatus
from plenary_contracts.listing import PageMeta
from plenary_kit.db import fetch_page
from plenary_kit.ids import new_id

from ..domain.decisions import condition_data
from .records import ActiveReviewer, Branch, OpenAssignment, Participant, from_row
from .tables import approval, parallel_branch, participant, participant_assignment, step, workflow

_OPEN = (ParticipantStatus.PENDING, ParticipantStatus.IN_PROGRESS)

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


def _participant(row: sa.Row[Any] | None) -> Participant | None:
    return from_row(Participant, row) if row is not None else None


def _build_get(of_tenant: bool, for_update: bool) -> sa.Select[Any]:
    query = sa.select(participant).where(
        participant.c.id == sa.bindparam("participant_id"), participant.c.deleted_at.is_(None)
    )
    if of_tenant:
        query = query.where(participant.c.tenant_id == sa.bindparam("tenant_id"))
    return query.with_for_update() if for_update else query


# Statements of the action path are built once, with bound parameters: SQLAlchemy memoises a statement
# object's cache key, so a call neither rebuilds the statement nor recomputes its key.
_GET = {(of_tenant, lock): _build_get(of_tenant, lock) for of_tenant in (False, True) for lock in (False, True)}


async def get(
    session: AsyncSession, participant_id: str, tenant_id: str | None, *, for_update: bool = False
) -> Participant | None:
    query = _GET[(tenant_id is not None, for_update)]
    found = await session.execute(query, {"participant_id": participant_id, "tenant_id": tenant_id})
    return _participant(found.first())


async def of_event(
    session: AsyncSession, tenant_id: str, event_id: str, participant_ids: Iterable[str], *, lock: bool = False
) -> dict[str, Participant]:
    """The live participants among ``participant_ids`` of the event, by id; ``lock`` holds them (in id
    order, so concurrent callers cannot deadlock) until the transaction ends."""
    query = sa.select(participant).where(
        participant.c.tenant_id == tenant_id,
        participant.c.event_id == event_id,
        participant.c.id.in_(list(participant_ids)),
        participant.c.deleted_at.is_(None),
    )
    if lock:
        query = query.order_by(participant.c.id).with_for_update()
    return {row.id: from_row(Participant, row) for row in await session.execute(query)}


async def of_tenant(session: AsyncSession, participant_ids: list[str], tenant_id: str) -> list[str]:
    """The ids among ``participant_ids`` that are participants of the tenant."""
    found = await session.execute(
        sa.select(participant.c.id).where(participant.c.id.in_(participant_ids), participant.c.tenant_id == tenant_id)
    )
    return list(found.scalars())


async def live_ids_of_event(session: AsyncSession, event_id: str, tenant_id: str | None) -> list[str]:
    """The event's participants not deleted (of one tenant, when given)."""
    query = sa.select(participant.c.id).where(participant.c.event_id == event_id, participant.c.deleted_at.is_(None))
    if tenant_id is not None:
        query = query.where(participant.c.tenant_id == tenant_id)
    return list((await session.execute(query)).scalars())


async def event_known(session: AsyncSession, tenant_id: str, event_id: str) -> bool:
    """Whether the tenant has workflows or participants of the event here."""
    of_event = (
        sa.select(workflow.c.id).where(workflow.c.tenant_id == tenant_id, workflow.c.event_id == event_id),
        sa.select(participant.c.id).where(participant.c.tenant_id == tenant_id, participant.c.event_id == event_id),
    )
    return bool((await session.execute(sa.select(sa.exists(of_event[0]) | sa.exists(of_event[1])))).scalar())


async def upsert_record(session: AsyncSession, record: registration.ParticipantRecord) -> Participant:
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
    return from_row(Participant, row)


async def move(session: AsyncSession, participant_id: str, **values: Any) -> Participant:
    """Change the participant's progress and bump its version (the caller holds the row lock)."""
    row = (
        await session.execute(
            sa.update(participant)
            .where(participant.c.id == participant_id)
            .values(version=participant.c.version + 1, updated_at=sa.func.now(), **values)
            .returning(participant)
        )
    ).one()
    return from_row(Participant, row)


async def retire(session: AsyncSession, participant_ids: list[str]) -> None:
    """Progress ends (the rows stay for history) and no timer runs any more."""
    await session.execute(
        sa.update(participant)
        .where(participant.c.id.in_(participant_ids), participant.c.deleted_at.is_(None))
        .values(deleted_at=sa.func.now(), sla_warn_at=None, sla_due_at=None, version=participant.c.version + 1)
    )


async def repoint_history(session: AsyncSession, from_ids: list[str], to_id: str) -> None:
    """Approvals, branches and reviewer assignments of ``from_ids`` become ``to_id``'s."""
    for table in (approval, parallel_branch, participant_assignment):
        await session.execute(sa.update(table).where(table.c.participant_id.in_(from_ids)).values(participant_id=to_id))


async def _next_due(session: AsyncSession, due: sa.Column[Any], *not_fired: sa.Column[Any]) -> Participant | None:
    """Claim the open participant whose ``due`` time passed longest ago and whose ``not_fired`` stamps
    are unset; SKIP LOCKED, so replicas each claim another one."""
    query = (
        sa.select(participant)
        .where(
            due <= sa.func.now(),
            *(stamp.is_(None) for stamp in not_fired),
            participant.c.deleted_at.is_(None),
            participant.c.status.in_(_OPEN),
        )
        .order_by(due)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return _participant((await session.execute(query)).first())


async def next_to_warn(session: AsyncSession) -> Participant | None:
    """Due for its SLA warning; one already breached at this step is past warning."""
    return await _next_due(
        session, participant.c.sla_warn_at, participant.c.sla_warned_at, participant.c.sla_breached_at
    )


async def next_to_breach(session: AsyncSession) -> Participant | None:
    return await _next_due(session, participant.c.sla_due_at, participant.c.sla_breached_at)


async def stamp_warned(session: AsyncSession, participant_id: str) -> None:
    await session.execute(
        sa.update(participant).where(participant.c.id == participant_id).values(sla_warned_at=sa.func.now())
    )


async def stamp_breached(session: AsyncSession, participant_id: str) -> None:
    await session.execute(
        sa.update(participant).where(participant.c.id == participant_id).values(sla_breached_at=sa.func.now())
    )


async def last_approval_step(session: AsyncSession, participant_id: str, *, other_than: str | None) -> str | None:
    """The step of the participant's latest approval taken at a step other than ``other_than``."""
    query = sa.select(approval.c.step_id).where(approval.c.participant_id == participant_id)
    if other_than is not None:
        query = query.where(approval.c.step_id != other_than)
    return (await session.execute(query.order_by(approval.c.created_at.desc(), approval.c.id.desc()).limit(1))).scalar()


def approval_row(
    *,
    tenant_id: str,
    participant_id: str,
    step_id: str,
    user_id: str,
    action: str,
    remarks: str | None,
    metadata: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """An approval's column values, under a fresh id."""
    return {
        "id": new_id(),
        "tenant_id": tenant_id,
        "participant_id": participant_id,
        "step_id": step_id,
        "user_id": user_id,
        "action": action,
        "remarks": remarks,
        "metadata": dict(metadata) if metadata else None,
    }


async def add_approval(session: AsyncSession, **fields: Any) -> str:
    """Insert one approval (the keyword fields of ``approval_row``); returns its id."""
    values = approval_row(**fields)
    await session.execute(sa.insert(approval).values(**values))
    return str(values["id"])


_APPROVAL_COLUMNS = ("id", "tenant_id", "participant_id", "step_id", "user_id", "action", "remarks", "metadata")


def _build_record_action(columns: frozenset[str], end_assignments: bool) -> sa.Update:
    # Parameter names are no column's name: SQLAlchemy would add such an execution parameter to an
    # UPDATE's SET clause (the data-modifying WITH's UPDATE included).
    def bound(table: sa.Table, name: str, prefix: str) -> sa.BindParameter[Any]:
        return sa.bindparam(f"{prefix}{name}", type_=table.c[name].type)

    new_approval = sa.insert(approval).values({name: bound(approval, name, "approval_") for name in _APPROVAL_COLUMNS})
    update = (
        sa.update(participant)
        .where(participant.c.id == sa.bindparam("acted_on"))
        .values(
            version=participant.c.version + 1,
            updated_at=sa.func.now(),
            **{name: bound(participant, name, "new_") for name in sorted(columns)},
        )
        .returning(participant.c.version, participant.c.updated_at)
        .add_cte(new_approval.cte("new_approval"))
    )
    if end_assignments:
        ended = (
            sa.update(participant_assignment)
            .where(
                participant_assignment.c.participant_id == sa.bindparam("acted_on"),
                participant_assignment.c.is_active,
            )
            .values(is_active=False, updated_at=sa.func.now())
        )
        update = update.add_cte(ended.cte("ended_assignments"))
    return update


_RECORD_ACTION: dict[tuple[frozenset[str], bool], sa.Update] = {}  # a handful of shapes, each built once


async def record_action(
    session: AsyncSession,
    participant_id: str,
    *,
    approval_values: Mapping[str, Any],
    end_assignments: bool,
    **values: Any,
) -> tuple[int, datetime]:
    """An action in one statement: the approval row (``approval_row``), the end of the participant's
    reviewer assignments (``end_assignments``) and its new progress with the version bumped (the caller
    holds the row lock). Returns the new version and ``updated_at``."""
    shape = (frozenset(values), end_assignments)
    statement = _RECORD_ACTION.get(shape)
    if statement is None:
        statement = _RECORD_ACTION[shape] = _build_record_action(*shape)
    parameters = {
        "acted_on": participant_id,
        **{f"new_{name}": value for name, value in values.items()},
        **{f"approval_{name}": approval_values[name] for name in _APPROVAL_COLUMNS},
    }
    version, updated_at = (await session.execute(statement, parameters)).one()
    return version, updated_at


async def page_approvals(
    session: AsyncSession, participant_id: str, tenant_id: str, request: workflow_contract.ListApprovals
) -> tuple[list[workflow_contract.Approval], PageMeta]:
    query = sa.select(approval).where(approval.c.participant_id == participant_id, approval.c.tenant_id == tenant_id)
    rows, meta = await fetch_page(
        session, query, request, {"createdAt": approval.c.created_at, "action": approval.c.action}, approval.c.id
    )
    return [workflow_contract.Approval.model_validate(dict(r._mapping)) for r in rows], meta


async def live_branches(session: AsyncSession, participant_id: str, fork_step_id: str | None = None) -> list[Branch]:
    query = sa.select(parallel_branch).where(
        parallel_branch.c.participant_id == participant_id, parallel_branch.c.archived_at.is_(None)
    )
    if fork_step_id is not None:
        query = query.where(parallel_branch.c.fork_step_id == fork_step_id)
    rows = await session.execute(query.order_by(parallel_branch.c.created_at, parallel_branch.c.id))
    return [from_row(Branch, r) for r in rows]


async def open_branches(session: AsyncSession, branches: list[dict[str, Any]]) -> None:
    """A fork's new round: one PENDING branch per mapping given (the columns' values)."""
    await session.execute(sa.insert(parallel_branch), [{"status": BranchStatus.PENDING, **b} for b in branches])


async def set_branch(session: AsyncSession, branch_id: str, **values: Any) -> None:
    await session.execute(
        sa.update(parallel_branch).where(parallel_branch.c.id == branch_id).values(updated_at=sa.func.now(), **values)
    )


async def decide_branch(
    session: AsyncSession,
    branch_id: str,
    *,
    status: BranchStatus,
    action: ApprovalAction,
    actor_id: str,
    remarks: str | None,
    now: datetime,
) -> None:
    await session.execute(
        sa.update(parallel_branch)
        .where(parallel_branch.c.id == branch_id)
        .values(status=status, completed_at=now, completed_by=actor_id, action=action, remarks=remarks, updated_at=now)
    )


async def cancel_branches(session: AsyncSession, branch_ids: list[str], now: datetime) -> None:
    await session.execute(
        sa.update(parallel_branch)
        .where(parallel_branch.c.id.in_(branch_ids))
        .values(status=BranchStatus.CANCELLED, completed_at=now, updated_at=now)
    )


async def next_timed_out_branch(session: AsyncSession) -> Branch | None:
    """Claim the PENDING branch overdue longest, locking its participant (SKIP LOCKED).

    The branch is locked too: PostgreSQL re-checks a row it had to wait for against its latest version only
    when the row is locked, so a branch another replica just cancelled (with its participant's commit) is not
    claimed from the older snapshot."""
    query = (
        sa.select(parallel_branch)
        .join(participant, participant.c.id == parallel_branch.c.participant_id)
        .where(
            parallel_branch.c.status == BranchStatus.PENDING,
            parallel_branch.c.archived_at.is_(None),
            parallel_branch.c.timeout_at <= sa.func.now(),
        )
        .order_by(parallel_branch.c.timeout_at)
        .limit(1)
        .with_for_update(of=(participant, parallel_branch), skip_locked=True)
    )
    found = (await session.execute(query)).first()
    return from_row(Branch, found) if found is not None else None


async def archive_branches(
    session: AsyncSession, participant_ids: list[str], *, fork_step_id: str | None = None
) -> None:
    """Close earlier rounds (so a fork can be entered again); pending ones are cancelled."""
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


async def add_assignment(
    session: AsyncSession,
    *,
    tenant_id: str,
    participant_id: str,
    step_id: str,
    user_id: str,
    assignment_id: str | None,
    strategy: AssignmentStrategy | str,
    replace: bool = False,
) -> None:
    """Who reviews the participant at the step; ``replace`` ends whoever did until now."""
    if replace:
        await session.execute(
            sa.update(participant_assignment)
            .where(
                participant_assignment.c.participant_id == participant_id,
                participant_assignment.c.step_id == step_id,
                participant_assignment.c.is_active,
            )
            .values(is_active=False, updated_at=sa.func.now())
        )
    await session.execute(
        sa.insert(participant_assignment).values(
            id=new_id(),
            tenant_id=tenant_id,
            participant_id=participant_id,
            step_id=step_id,
            user_id=user_id,
            assignment_id=assignment_id,
            strategy=strategy,
        )
    )


async def active_reviewers(session: AsyncSession, at_steps: Mapping[str, str]) -> dict[str, ActiveReviewer]:
    """Who reviews each participant at its step, by participant id; ``at_steps`` maps participant ids
    to steps."""
    if not at_steps:
        return {}
    found = await session.execute(
        sa.select(
            participant_assignment.c.participant_id,
            participant_assignment.c.step_id,
            participant_assignment.c.user_id,
            participant_assignment.c.assignment_id,
            participant_assignment.c.strategy,
        ).where(participant_assignment.c.participant_id.in_(list(at_steps)), participant_assignment.c.is_active)
    )
    return {
        row.participant_id: ActiveReviewer(row.user_id, row.assignment_id, row.strategy)
        for row in found
        if at_steps[row.participant_id] == row.step_id
    }


async def open_assignments(session: AsyncSession, user_id: str, tenant_id: str) -> list[OpenAssignment]:
    """The participants waiting on the user at their current step, soonest deadline first."""
    query = (
        sa.select(
            participant,
            participant_assignment.c.assigned_at,
            step.c.id.label("step_id"),
            step.c.name.label("step_name"),
            workflow.c.id.label("wf_id"),
            workflow.c.name.label("wf_name"),
        )
        .join(participant, participant.c.id == participant_assignment.c.participant_id)
        .join(step, step.c.id == participant_assignment.c.step_id)
        .join(workflow, workflow.c.id == step.c.workflow_id)
        .where(
            participant_assignment.c.user_id == user_id,
            participant_assignment.c.tenant_id == tenant_id,
            participant_assignment.c.is_active,
            participant.c.current_step_id == participant_assignment.c.step_id,
            participant.c.status.in_(_OPEN),
            participant.c.deleted_at.is_(None),
        )
        .order_by(participant.c.sla_due_at.asc().nulls_last(), participant_assignment.c.assigned_at)
    )
    return [
        OpenAssignment(
            participant_id=row.id,
            event_id=row.event_id,
            name=name_of(row),
            registration_code=row.registration_code,
            status=row.status,
            assigned_at=row.assigned_at,
            sla_due_at=row.sla_due_at,
            step_id=row.step_id,
            step_name=row.step_name,
            workflow_id=row.wf_id,
            workflow_name=row.wf_name,
        )
        for row in await session.execute(query)
    ]


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


def data_of(row: Participant) -> dict[str, Any]:
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


def name_of(row: Participant | sa.Row[Any]) -> str:
    return f"{row.first_name} {row.last_name}".strip()


def to_branch(row: Branch) -> workflow_contract.BranchState:
    return workflow_contract.BranchState(
        id=row.id,
        fork_step_id=row.fork_step_id,
        branch_step_id=row.branch_step_id,
        status=row.status,
        action=row.action,
        completed_by=row.completed_by,
        completed_at=row.completed_at,
        remarks=row.remarks,
    )


def before_state(row: Participant) -> dict[str, Any]:
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
