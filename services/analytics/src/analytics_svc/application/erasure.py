"""Erasing a participant (the erasure saga's ``erase_person`` for analytics): analytics holds nothing personal
(its projections hold ids, statuses, times and counts: ``participant_state`` keeps a participant's status by id),
so its receipt is empty unless a stored idempotent reply named them. The
participant's state stays by id: the figures do not move. Idempotent: a repeat answers an empty receipt."""

from plenary_contracts.saga_parts import ErasePerson, ErasureReceipt
from plenary_kit.acting import tenant
from plenary_kit.db import UnitOfWork

SERVICE = "analytics"


async def erase_person(request: ErasePerson, uow: UnitOfWork) -> ErasureReceipt:
    needles = [request.participant_id]
    if request.email and request.email.strip():
        needles.append(request.email.strip().lower())
    replies = await uow.forget_stored_replies(tenant(), needles)
    return ErasureReceipt(service=SERVICE, erased={"idempotency_key": replies} if replies else {})
