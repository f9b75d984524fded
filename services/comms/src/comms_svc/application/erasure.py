"""Erasing a participant (the erasure saga's ``erase_person`` for comms): the messages to them and about them
keep what the broadcasts' counts need (ids, channel, status, times) and lose the person's address, rendering and
text (see ``adapters.erasure_repository`` for what each table keeps). Idempotent: a repeat finds nothing left and
answers zeros. Registration anonymises the participant too, so no later message reaches them."""

from plenary_contracts.saga_parts import ErasePerson, ErasureReceipt
from plenary_kit.acting import tenant
from plenary_kit.db import UnitOfWork

from ..adapters import erasure_repository as erasure

SERVICE = "comms"


async def erase_person(request: ErasePerson, uow: UnitOfWork) -> ErasureReceipt:
    tenant_id, participant_id = tenant(), request.participant_id
    session = uow.session
    # the address the orchestrator knows, and the one comms holds (they differ when an update is still on its way)
    held = await erasure.held_email(session, tenant_id, participant_id)
    emails = {e.strip().lower() for e in (request.email, held) if e and e.strip()}

    deliveries = await erasure.anonymise_deliveries(session, tenant_id, participant_id, emails)
    about = set(deliveries) | set(await erasure.delivery_ids(session, tenant_id, participant_id))
    notifications = await erasure.anonymise_notifications(session, tenant_id, participant_id, about)
    events = await erasure.delete_notification_events(session, notifications)
    replies = await uow.forget_stored_replies(tenant_id, [participant_id, *emails])
    participants = await erasure.anonymise_participant(session, tenant_id, participant_id)
    return ErasureReceipt(
        service=SERVICE,
        erased={"outbox": events, "idempotency_key": replies},
        anonymised={
            "message_delivery": len(deliveries),
            "notification": len(notifications),
            "participant": participants,
        },
    )
