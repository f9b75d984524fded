"""What erasing a participant does to webhooks' rows: deliveries (dead letters and replayed ones included)
whose stored payload or receiver's answer names the participant's id or one of their addresses are found with
one statement and written back redacted with one more, whatever their number.

A delivery keeps its status, attempts, response code, error and times; its payload is redacted
(``domain.erasure``) and the receiver's answer body (it may echo the payload) goes. Error texts name the
destination or the HTTP status, never the payload; replays hold stream positions only: both stay.
"""

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import webhook_delivery

d = webhook_delivery.c
DELIVERY = f'"{webhook_delivery.schema}"."{webhook_delivery.name}"'


@dataclass(frozen=True)
class Mentioning:
    id: str
    payload: dict[str, Any]
    response_body: str | None


def _mentions(text: sa.ColumnElement[str], participant_id: str, emails: Collection[str]) -> sa.ColumnElement[bool]:
    """``text`` holds the participant's id as a JSON string, or one of their (lower-case) addresses in any case."""
    lowered = sa.func.lower(text)
    return sa.or_(
        sa.func.strpos(text, json.dumps(participant_id)) > 0,
        *(sa.func.strpos(lowered, email) > 0 for email in emails),
    )


async def deliveries_mentioning(
    session: AsyncSession, tenant_id: str, participant_id: str, emails: Collection[str]
) -> list[Mentioning]:
    """The tenant's deliveries whose payload or answer names the participant, locked until the commit."""
    answer = sa.func.coalesce(d.response_body, "")
    query = (
        sa.select(d.id, d.payload, d.response_body)
        .where(
            d.tenant_id == tenant_id,
            sa.or_(
                _mentions(sa.cast(d.payload, sa.Text), participant_id, emails),
                _mentions(answer, participant_id, emails),
            ),
        )
        .with_for_update()
    )
    return [Mentioning(**row._mapping) for row in await session.execute(query)]


_REDACT = sa.text(f"""
UPDATE {DELIVERY} AS d
SET payload = r.payload, response_body = NULL, updated_at = now()
FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(id text, payload jsonb)
WHERE d.id = r.id
""")


async def redact_deliveries(session: AsyncSession, redacted: Sequence[tuple[str, dict[str, Any]]]) -> None:
    """Write each delivery's redacted payload (id, payload), with no answer body."""
    if redacted:
        rows = json.dumps([{"id": delivery_id, "payload": payload} for delivery_id, payload in redacted])
        await session.execute(_REDACT, {"rows": rows})
