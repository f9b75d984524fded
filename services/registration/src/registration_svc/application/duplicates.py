"""Duplicate candidates (P4-09): list them best score first, and review one (confirm or dismiss).

Screening at registration writes the candidates; a reviewer's verdict clears the participants' flag once
nothing of theirs awaits review. A merged candidate is final.
"""

import sqlalchemy as sa

from plenary_contracts.catalog import registration as contract
from plenary_contracts.enums import DuplicateStatus
from plenary_contracts.errors import BadRequest, NotFound
from plenary_kit.acting import actor, require_grant, tenant, utcnow
from plenary_kit.db import UnitOfWork, fetch_page

from ..adapters import candidate_repository as candidates
from ..adapters.tables import duplicate_candidate


async def list_duplicates(request: contract.ListDuplicates, uow: UnitOfWork) -> contract.DuplicatePage:
    query = candidates.candidates_query(tenant()).where(candidates.still_open())
    if request.event_id is not None:
        query = query.where(duplicate_candidate.c.event_id == request.event_id)
    if request.status is not None:
        query = query.where(duplicate_candidate.c.status == request.status)
    if request.participant_id is not None:
        query = query.where(candidates.naming(request.participant_id))
    rows, meta = await fetch_page(uow.session, query, request, candidates.SORTABLE, duplicate_candidate.c.id)
    return contract.DuplicatePage(data=[candidates.to_candidate(r) for r in rows], meta=meta)


async def review_duplicate(request: contract.ReviewDuplicate, uow: UnitOfWork) -> contract.DuplicateCandidate:
    """CONFIRMED_DUPLICATE or NOT_DUPLICATE with notes; a verdict may be revised until the pair is merged."""
    found = await candidates.get(uow.session, request.id, tenant())
    if found is None:
        raise NotFound(f"duplicate candidate {request.id} not found")
    await candidates.lock_participants(uow.session, (found.participant_a_id, found.participant_b_id))
    row = await candidates.get(uow.session, request.id, tenant(), for_update=True)
    if row is None:
        raise NotFound(f"duplicate candidate {request.id} not found")
    require_grant(contract.REVIEW_DUPLICATE.permission, row.event_id)  # type: ignore[arg-type]
    if row.status == DuplicateStatus.MERGED:
        raise BadRequest("the candidate was merged; its review is final")
    now = utcnow()
    await uow.session.execute(
        sa.update(duplicate_candidate)
        .where(duplicate_candidate.c.id == request.id)
        .values(status=request.status, review_notes=request.notes, reviewed_by=actor(), reviewed_at=now, updated_at=now)
    )
    await candidates.clear_flags(uow.session, (row.participant_a_id, row.participant_b_id))
    reviewed = await candidates.get(uow.session, request.id, tenant())
    return candidates.to_candidate(reviewed)
