"""Erasing a participant (the erasure saga's ``erase_person`` for webhooks): every stored delivery about them
(sent, waiting, dead-lettered or replayed) keeps its status and attempt counts with its payload redacted, so a
waiting one still goes out, without the person. Idempotent: a repeat finds the payloads redacted already and
answers zeros.

A replay re-reads the producers' streams: what it queues after an erasure is as personal as the streams are
(erasure makes the events' personal fields unreadable there)."""

from plenary_contracts.saga_parts import ErasePerson, ErasureReceipt
from plenary_kit.acting import tenant
from plenary_kit.db import UnitOfWork

from ..adapters import erasure_repository as erasure
from ..domain.erasure import redact

SERVICE = "webhooks"


async def erase_person(request: ErasePerson, uow: UnitOfWork) -> ErasureReceipt:
    tenant_id, participant_id = tenant(), request.participant_id
    emails = {request.email.strip().lower()} if request.email and request.email.strip() else set()
    found = await erasure.deliveries_mentioning(uow.session, tenant_id, participant_id, emails)
    changed = [
        (row.id, redacted)
        for row in found
        if (redacted := redact(row.payload)) != row.payload or row.response_body is not None
    ]
    await erasure.redact_deliveries(uow.session, changed)
    replies = await uow.forget_stored_replies(tenant_id, [participant_id, *emails])
    return ErasureReceipt(
        service=SERVICE,
        erased={"idempotency_key": replies},
        anonymised={"webhook_delivery": len(changed)},
    )
