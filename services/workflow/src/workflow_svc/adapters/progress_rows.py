"""Participants' workflow progress as a list query: step, status, SLA, assignee, and the statements."""

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from plenary_contracts.enums import FieldDataType as T
from plenary_contracts.enums import ParticipantStatus
from plenary_contracts.row_queries import EntityFields, GroupPage, GroupQuery, RowPage, RowQuery, SortKey
from plenary_kit.db import RowField, RowSource, fetch_groups, fetch_rows

from .tables import participant, participant_assignment, step

_p, _s, _a = participant.c, step.c, participant_assignment.c
SOURCE = RowSource(
    [
        RowField.column("firstName", "First name", T.TEXT, _p.first_name),
        RowField.column("lastName", "Last name", T.TEXT, _p.last_name),
        RowField.column("registrationCode", "Registration code", T.TEXT, _p.registration_code),
        RowField.column("participantTypeCode", "Participant type", T.TEXT, _p.participant_type_code, groupable=True),
        RowField.column(
            "status", "Status", T.ENUM, _p.status, options=[s.value for s in ParticipantStatus], groupable=True
        ),
        RowField.column("workflowId", "Workflow", T.REFERENCE, _p.workflow_id, lowercase=True, groupable=True),
        RowField.column("stepId", "Step", T.REFERENCE, _p.current_step_id, lowercase=True, groupable=True),
        RowField.column("stepName", "Step name", T.TEXT, _s.name, groupable=True),
        RowField.column("stepEnteredAt", "In the step since", T.DATETIME, _p.step_entered_at),
        RowField.column("slaDueAt", "SLA due", T.DATETIME, _p.sla_due_at),
        RowField.column("slaBreached", "SLA breached", T.BOOLEAN, _p.sla_breached_at.is_not(None), groupable=True),
        RowField.column("assigneeId", "Assignee", T.REFERENCE, _a.user_id, lowercase=True, groupable=True),
        RowField.column("updatedAt", "Updated at", T.DATETIME, _p.updated_at),
    ],
    _p.id,
    [SortKey(field="updatedAt", direction="desc")],
)
_FROM = participant.outerjoin(step, _s.id == _p.current_step_id).outerjoin(
    participant_assignment,
    sa.and_(_a.participant_id == _p.id, _a.step_id == _p.current_step_id, _a.is_active),
)


def _base(tenant_id: str, event_id: str) -> sa.Select[tuple[()]]:
    return (
        sa.select()
        .select_from(_FROM)
        .where(_p.tenant_id == tenant_id, _p.event_id == event_id, _p.deleted_at.is_(None))
    )


async def rows(session: AsyncSession, tenant_id: str, event_id: str, query: RowQuery) -> RowPage:
    return await fetch_rows(session, SOURCE, _base(tenant_id, event_id), query)


async def groups(session: AsyncSession, tenant_id: str, event_id: str, query: GroupQuery) -> GroupPage:
    return await fetch_groups(session, SOURCE, _base(tenant_id, event_id), query)


def fields() -> EntityFields:
    return SOURCE.describe()
