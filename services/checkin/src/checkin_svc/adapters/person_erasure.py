"""What checkin holds about one person, erased or blanked in a few set-based statements: the participant read
model's row, the personal columns of their access-log rows and kiosk sessions, and the stored idempotent
replies that mention them (a scan's answer names the person)."""

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import access_log, kiosk_session, participant


async def email_of(session: AsyncSession, tenant_id: str, participant_id: str) -> str | None:
    query = sa.select(participant.c.email).where(
        participant.c.tenant_id == tenant_id, participant.c.id == participant_id
    )
    return (await session.execute(query)).scalar()


async def delete_participant(session: AsyncSession, tenant_id: str, participant_id: str) -> int:
    statement = (
        sa.delete(participant)
        .where(participant.c.tenant_id == tenant_id, participant.c.id == participant_id)
        .returning(participant.c.id)
    )
    return len((await session.execute(statement)).all())


async def blank_access_log(session: AsyncSession, tenant_id: str, participant_id: str) -> int:
    """The person's scans keep their ids, results, movements, zones and times (occupancy is rebuilt from them)
    and lose what was read at the gate (the badge, or the registration code typed in) and the staff's free-text
    override reason; how many rows still had either."""
    a = access_log.c
    statement = (
        sa.update(access_log)
        .where(
            a.tenant_id == tenant_id,
            a.participant_id == participant_id,
            sa.or_(a.qr_payload != "", a.override_reason.is_not(None)),
        )
        .values(qr_payload="", override_reason=None)
        .returning(a.id)
    )
    return len((await session.execute(statement)).all())


async def clear_kiosk_sessions(session: AsyncSession, tenant_id: str, participant_id: str, email: str | None) -> int:
    """The kiosk's free-form notes of the person's sessions, and of any session whose notes name their e-mail
    (a lookup that found nobody names nobody); the session's times and kind stay."""
    k = kiosk_session.c
    theirs = [k.participant_id == participant_id]
    if email:
        theirs.append(sa.func.strpos(sa.func.lower(sa.cast(k["metadata"], sa.Text)), email.lower()) > 0)
    statement = (
        sa.update(kiosk_session)
        .where(k.tenant_id == tenant_id, k["metadata"].is_not(None), sa.or_(*theirs))
        .values(metadata=None)
        .returning(k.id)
    )
    return len((await session.execute(statement)).all())
