"""Duplicate candidates: list them best score first, and review one (confirm or dismiss).

Screening at registration writes the candidates; a reviewer's verdict clears the participants' flag once
nothing of theirs awaits review. A merged candidate is final.
"""

from plenary_contracts.catalog import registration as contract
from plenary_contracts.enums import DuplicateStatus
from plenary_contracts.errors import BadRequest, NotFound
from plenary_kit.acting import actor, require_grant, tenant, utcnow
from plenary_kit.db import UnitOfWork

from ..adapters import candidate_repository as candidates


async def list_duplicates(request: contract.ListDuplicates, uow: UnitOfWork) -> contract.DuplicatePage:
    found, meta = await candidates.page(uow.session, tenant(), request)
    return contract.DuplicatePage(data=found, meta=meta)


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
    await candidates.record_review(uow.session, request.id, request.status, request.notes, actor(), now)
    await candidates.clear_flags(uow.session, (row.participant_a_id, row.participant_b_id))
    reviewed = await candidates.get(uow.session, request.id, tenant())
    assert reviewed is not None
    return candidates.to_candidate(reviewed)
