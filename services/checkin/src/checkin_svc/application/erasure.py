"""checkin's part of erasing a person.

- ``participant`` (the read model of registration's participant: names, e-mail, registration code, badge
  state): deleted. Their badge answers INVALID from then on, as any unknown participant's.
- ``access_log``: kept, for occupancy, counts and the rebuild (ids, results, movements, zones, times, device,
  staff), with what was read at the gate (``qr_payload``: the badge, or the code typed in) and the override's
  free text blanked.
- ``kiosk_session``: kept (kind, times), its free-form ``metadata`` cleared.
- ``presence`` and ``queue_ticket``: kept as they are; they hold ids, statuses and times only, which the
  head counts and the queue's waiting times rest on.
- the stored idempotent replies that mention the person (a scan's answer carries the name): deleted.

Each is one set-based statement: an erasure of a person with thousands of scans takes milliseconds."""

from plenary_contracts.saga_parts import ErasePerson, ErasureReceipt
from plenary_kit.acting import tenant
from plenary_kit.db import UnitOfWork

from ..adapters import person_erasure as person

SERVICE = "checkin"


async def erase_person(request: ErasePerson, uow: UnitOfWork) -> ErasureReceipt:
    tenant_id, participant_id = tenant(), request.participant_id
    held = await person.email_of(uow.session, tenant_id, participant_id)
    email = request.email or held
    participants = await person.delete_participant(uow.session, tenant_id, participant_id)
    scans = await person.blank_access_log(uow.session, tenant_id, participant_id)
    sessions = await person.clear_kiosk_sessions(uow.session, tenant_id, participant_id, email)
    replies = await uow.forget_stored_replies(tenant_id, [participant_id, email, held])
    return ErasureReceipt(
        service=SERVICE,
        erased={"participant": participants, "idempotency_key": replies},
        anonymised={"access_log": scans, "kiosk_session": sessions},
    )
