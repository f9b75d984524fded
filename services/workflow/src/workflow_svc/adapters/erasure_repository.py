"""What workflow holds about one participant, for erasure: personal columns blanked where the row must
stay (progress, history), stored replies that mention them deleted. Each statement touches only rows
that still hold something, so a repeated erasure counts zero."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import approval, parallel_branch, participant

_PERSONAL_NULLABLE = ("email", "organization", "job_title", "nationality")


async def anonymise_participant(db: AsyncSession, tenant_id: str, participant_id: str, now: datetime) -> int:
    """The read model keeps ids, type, registration code, status, step and times; names, e-mail,
    organisation, title, nationality and extras go. ``source_updated_at`` moves to now, so an older
    registration event delivered late cannot write them back."""
    holds_something = sa.or_(
        participant.c.first_name != "",
        participant.c.last_name != "",
        participant.c.extras != sa.text("'{}'::jsonb"),
        *(participant.c[name].is_not(None) for name in _PERSONAL_NULLABLE),
    )
    statement = (
        sa.update(participant)
        .where(participant.c.tenant_id == tenant_id, participant.c.id == participant_id, holds_something)
        .values(
            first_name="",
            last_name="",
            extras={},
            source_updated_at=sa.func.greatest(participant.c.source_updated_at, now),
            **dict.fromkeys(_PERSONAL_NULLABLE),
        )
        .returning(participant.c.id)
    )
    return len((await db.execute(statement)).all())


async def clear_remarks(db: AsyncSession, table: sa.Table, tenant_id: str, participant_id: str) -> int:
    """Reviewers' free text about the participant, on its approvals or branches; the actions stay."""
    statement = (
        sa.update(table)
        .where(table.c.tenant_id == tenant_id, table.c.participant_id == participant_id, table.c.remarks.is_not(None))
        .values(remarks=None)
        .returning(table.c.id)
    )
    return len((await db.execute(statement)).all())


HISTORY_WITH_REMARKS = {"approval": approval, "parallel_branch": parallel_branch}
