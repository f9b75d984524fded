"""Participants as a list query: their fields (built-in ones, then the event's extras) and the statements."""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from plenary_contracts.catalog.events import FieldDefinition
from plenary_contracts.enums import FieldDataType as T
from plenary_contracts.enums import ParticipantStatus
from plenary_contracts.row_queries import EntityFields, GroupPage, GroupQuery, RowPage, RowQuery, SortKey
from plenary_kit.db import RowField, RowSource, fetch_groups, fetch_rows

from .tables import participant

_p = participant.c
_BUILT_IN = [
    RowField.column("registrationCode", "Registration code", T.TEXT, _p.registration_code),
    RowField.column("firstName", "First name", T.TEXT, _p.first_name),
    RowField.column("lastName", "Last name", T.TEXT, _p.last_name),
    RowField.column("email", "E-mail", T.EMAIL, _p.email),
    RowField.column("organization", "Organization", T.TEXT, _p.organization, groupable=True),
    RowField.column("jobTitle", "Job title", T.TEXT, _p.job_title),
    RowField.column("nationality", "Nationality", T.TEXT, _p.nationality, groupable=True),
    RowField.column(
        "status", "Status", T.ENUM, _p.status, options=[s.value for s in ParticipantStatus], groupable=True
    ),
    RowField.column(
        "participantTypeId", "Participant type", T.REFERENCE, _p.participant_type_id, lowercase=True, groupable=True
    ),
    RowField.column("currentStepId", "Workflow step", T.REFERENCE, _p.current_step_id, lowercase=True, groupable=True),
    RowField.column("flagged", "Likely duplicate", T.BOOLEAN, _p.flagged, groupable=True),
    RowField.column("createdAt", "Registered at", T.DATETIME, _p.created_at),
    RowField.column("updatedAt", "Updated at", T.DATETIME, _p.updated_at),
]
_GROUPABLE = (T.ENUM, T.BOOLEAN, T.TEXT, T.NUMBER)
NATURAL_ORDER = [SortKey(field="createdAt", direction="desc")]


def source(definitions: Sequence[FieldDefinition]) -> RowSource:
    """The event's participants' fields: an extra is named by its key; a built-in name is never shadowed."""
    extras = [
        RowField.json(
            d.name,
            d.label,
            d.data_type,
            _p.extras,
            d.name,
            options=[o.value for o in d.config.options or ()] if d.data_type is T.ENUM else (),
            filterable=d.data_type not in (T.FILE, T.IMAGE),
            groupable=d.data_type in _GROUPABLE,
        )
        for d in definitions
    ]
    return RowSource([*_BUILT_IN, *extras], _p.id, NATURAL_ORDER)


def _base(tenant_id: str, event_id: str) -> sa.Select[tuple[()]]:
    return (
        sa.select()
        .select_from(participant)
        .where(_p.tenant_id == tenant_id, _p.event_id == event_id, _p.deleted_at.is_(None))
    )


async def rows(
    session: AsyncSession, tenant_id: str, definitions: Sequence[FieldDefinition], query: RowQuery
) -> RowPage:
    return await fetch_rows(session, source(definitions), _base(tenant_id, query.event_id or ""), query)


async def groups(
    session: AsyncSession, tenant_id: str, definitions: Sequence[FieldDefinition], query: GroupQuery
) -> GroupPage:
    return await fetch_groups(session, source(definitions), _base(tenant_id, query.event_id or ""), query)


def fields(definitions: Sequence[FieldDefinition]) -> EntityFields:
    return source(definitions).describe()
