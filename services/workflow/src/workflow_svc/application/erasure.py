"""workflow's part of erasing a person: what it holds about the participant loses every personal value,
while ids, statuses, steps and times stay, so progress, SLA and action counts still add up.

- ``participant`` (the read model): names, e-mail, organisation, title, nationality and extras blanked;
- ``approval`` and ``parallel_branch``: reviewers' remarks about them cleared, the actions kept;
- workflow's events about them carry their name and the remarks sealed with their key, which the erasure
  destroys (``plenary_contracts.personal``): the outbox and the streams keep only ciphertext;
- ``idempotency_key``: stored replies that mention them deleted.
Reviewers are users, not participants: ``user_directory`` is not theirs to erase."""

from plenary_contracts.saga_parts import ErasePerson, ErasureReceipt
from plenary_kit.db import UnitOfWork

from ..adapters import erasure_repository as erasure
from .common import tenant, utcnow

SERVICE = "workflow"


async def erase_person(request: ErasePerson, uow: UnitOfWork) -> ErasureReceipt:
    tenant_id, person = tenant(), request.participant_id
    anonymised = {"participant": await erasure.anonymise_participant(uow.session, tenant_id, person, utcnow())}
    for name, table in erasure.HISTORY_WITH_REMARKS.items():
        anonymised[name] = await erasure.clear_remarks(uow.session, table, tenant_id, person)
    erased = {"idempotency_key": await uow.forget_stored_replies(tenant_id, [person])}
    return ErasureReceipt(service=SERVICE, erased=erased, anonymised=anonymised)
