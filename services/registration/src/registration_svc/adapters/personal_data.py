"""Registration's own data about a person, erased or anonymised in set-based statements (the erasure's last part).

The participant row stays (ids, status, times: what counts and other services' ids need) with every personal
column blank and ``erased_at`` set; so do the participants merged into it, who are the same person. Rows
that exist only because of the person's data go: blocking keys and duplicate candidates. Waitlist entries and
import rows keep their place and status, without the data they were registered with.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from plenary_contracts.enums import WaitlistStatus

from .tables import (
    blocking_key,
    bulk_operation_item,
    duplicate_candidate,
    merge_history,
    participant,
    waitlist_entry,
)

ERASED_KEY = "erased:"
# The names an anonymised waitlist entry shows: its registration data must still read as a registration.
ERASED_NAME = "(erased)"  # an anonymised waitlist entry's applicant key: this prefix and the entry's id


async def erase(
    session: AsyncSession, tenant_id: str, participant_id: str, email: str | None, now: datetime
) -> tuple[dict[str, int], dict[str, int], list[str]]:
    """Erase what registration holds about the person: ``(erased, anonymised)`` row counts per table, and the
    ids whose keys seal their data in events (the participants, their waitlist entries) for the caller to
    destroy. The outbox keeps the events about them: their personal values are sealed with those keys."""
    people = await _same_person(session, tenant_id, participant_id)
    erased = {
        "blocking_key": await _rows(session, sa.delete(blocking_key).where(blocking_key.c.participant_id.in_(people))),
        "duplicate_candidate": await _rows(
            session,
            sa.delete(duplicate_candidate).where(
                sa.or_(
                    duplicate_candidate.c.participant_a_id.in_(people),
                    duplicate_candidate.c.participant_b_id.in_(people),
                )
            ),
        ),
    }
    entries = list((await session.execute(_anonymise_waitlist(tenant_id, people, email, now))).scalars())
    anonymised = {
        "participant": await _rows(session, _anonymise_participants(tenant_id, people, now)),
        "waitlist_entry": len(entries),
        "bulk_operation_item": await _rows(session, _anonymise_import_rows(tenant_id, people, email)),
    }
    return erased, anonymised, [*people, *entries]


async def _same_person(session: AsyncSession, tenant_id: str, participant_id: str) -> list[str]:
    """The participant and every participant merged into it (a merge joins two records of one person)."""
    merged = sa.select(merge_history.c.merged_id).where(
        merge_history.c.tenant_id == tenant_id, merge_history.c.surviving_id == participant_id
    )
    return [participant_id, *(await session.execute(merged)).scalars().all()]


def _anonymise_participants(tenant_id: str, people: Sequence[str], now: datetime) -> Any:
    return (
        sa.update(participant)
        .where(participant.c.tenant_id == tenant_id, participant.c.id.in_(people), participant.c.erased_at.is_(None))
        .values(
            first_name="",
            last_name="",
            email=None,
            organization=None,
            job_title=None,
            nationality=None,
            extras={},
            flagged=False,
            erased_at=now,
            updated_at=now,
        )
    )


def _anonymise_waitlist(tenant_id: str, people: Sequence[str], email: str | None, now: datetime) -> Any:
    """Entries of the person (by participant, or by the address they waited with) lose the data they would
    register with (the participant type stays, the names read ``(erased)``) and their applicant key; one still
    waiting or offered (not registered from it) is withdrawn: no offer goes out to nobody."""
    c = waitlist_entry.c
    theirs = c.participant_id.in_(people)
    if email:
        theirs = sa.or_(theirs, c.applicant_key == email.strip().lower())
    waiting = sa.and_(c.participant_id.is_(None), c.status.in_([WaitlistStatus.ACTIVE, WaitlistStatus.PROMOTED]))
    return (
        sa.update(waitlist_entry)
        .where(c.tenant_id == tenant_id, theirs, ~c.applicant_key.startswith(ERASED_KEY))
        .values(
            registration_data=sa.func.jsonb_build_object(
                "participantTypeId",
                c.registration_data["participantTypeId"],
                "firstName",
                ERASED_NAME,
                "lastName",
                ERASED_NAME,
            ),
            applicant_key=sa.literal(ERASED_KEY) + c.id,
            status=sa.case((waiting, WaitlistStatus.WITHDRAWN.value), else_=c.status),
            withdrawn_at=sa.case((waiting, now), else_=c.withdrawn_at),
            updated_at=now,
        )
        .returning(c.id)
    )


def _anonymise_import_rows(tenant_id: str, people: Sequence[str], email: str | None) -> Any:
    """Import rows that registered the person, or carried their address, keep their number and outcome only."""
    c = bulk_operation_item.c
    theirs = c.participant_id.in_(people)
    if email:
        theirs = sa.or_(theirs, sa.func.lower(c.input_data["email"].astext) == email.strip().lower())
    holding = sa.or_(
        c.input_data != sa.text("'{}'::jsonb"), c.previous_state.is_not(None), c.error_message.is_not(None)
    )
    return (
        sa.update(bulk_operation_item)
        .where(c.tenant_id == tenant_id, theirs, holding)
        .values(input_data={}, previous_state=None, error_message=None)
    )


async def _rows(session: AsyncSession, statement: Any) -> int:
    return (await session.execute(statement)).rowcount or 0  # type: ignore[attr-defined]
