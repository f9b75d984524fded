"""Resolving a broadcast's audience from comms' own copy of the event's participants: the plain criteria
narrow the rows read, then the audience's predicate decides each one (every criterion AND-ed)."""

from collections.abc import Mapping
from typing import Any

from plenary_kit.acting import located, refuse

from ..adapters import directory_repository as directory
from ..adapters.directory_repository import Candidate, Db
from ..domain.audience import Audience, Person

FILTERS_AT = ("body", "filters")


def audience_of(filters: Mapping[str, Any]) -> Audience:
    """The stored (wire) filters as an audience; 422 when they cannot reach anyone sensibly."""
    audience = Audience.of(filters)
    refuse("invalid audience filters", located(FILTERS_AT, audience.problems()))
    return audience


async def resolve(
    db: Db, tenant_id: str, event_id: str, audience: Audience, *, emergency: bool = False
) -> list[Candidate]:
    """Who it reaches now; those who unsubscribed only when it is an emergency."""
    rows = await directory.candidates(
        db,
        tenant_id,
        event_id,
        participant_types=audience.participant_types,
        statuses=audience.statuses,
        registered_after=audience.registered_after,
        registered_before=audience.registered_before,
        delegation_ids=audience.delegation_ids,
        include_opted_out=emergency,
    )
    matches = audience.predicate()
    return [row for row in rows if matches(_person(row))]


def _person(row: Candidate) -> Person:
    fields = {
        "id": row.id,
        "firstName": row.first_name,
        "lastName": row.last_name,
        "email": row.email,
        "status": row.status,
        "participantTypeId": row.participant_type_id,
    }
    return Person(
        id=row.id,
        participant_type_id=row.participant_type_id,
        status=row.status,
        registered_at=row.registered_at,
        delegation_id=row.delegation_id,
        fields=fields,
        extras=row.extras or {},
    )
