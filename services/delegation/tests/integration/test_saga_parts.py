"""delegation's parts of the two sagas over the bus: an event's quotas copied into its clone (nothing used, no
invites) and dropped again, and a person's invites erased while the quotas' counts hold."""

from typing import Any

import pytest
import sqlalchemy as sa
from delegation_svc.adapters.tables import delegation_invite, delegation_quota

from plenary_contracts.catalog import delegation as contract
from plenary_contracts.catalog import registration
from plenary_contracts.errors import BadRequest, ValidationFailed
from plenary_contracts.flags import FlagKey
from plenary_contracts.id_map import derived_id
from plenary_contracts.personal import is_sealed
from plenary_contracts.saga_parts import COPY_EVENT_PART, DROP_EVENT_PART, ERASE_PERSON
from plenary_kit.ids import new_id
from plenary_kit.personal_keys import open_envelopes
from plenary_kit.testing.schema import rows_holding

from .conftest import DELEGATE_TYPE, EVENT, ORG, OTHER_TENANT, TENANT, DelegationService, eventually

TARGET = "event-2027"
COPY, DROP, ERASE = COPY_EVENT_PART["delegation"], DROP_EVENT_PART["delegation"], ERASE_PERSON["delegation"]
EMAIL = "Kofi.Mensah@Example.org"


def _copy(operation_id: str, *, delegations: bool = True, source: str = EVENT) -> dict[str, Any]:
    return {
        "operationId": operation_id,
        "sourceEventId": source,
        "targetEventId": TARGET,
        "targetEventName": "Congress 2027",
        "elements": {"delegations": delegations},
        "idMap": {DELEGATE_TYPE: "type-delegate-2027"},
    }


def _erase(participant_id: str, email: str | None = EMAIL, event: str = EVENT) -> dict[str, Any]:
    return {"erasureId": new_id(), "participantId": participant_id, "eventId": event, "email": email}


async def _quotas(delegation: DelegationService, event_id: str, tenant: str = TENANT) -> list[Any]:
    q = delegation_quota.c
    async with delegation.runtime.engine.connect() as conn:
        query = sa.select(delegation_quota).where(q.event_id == event_id, q.tenant_id == tenant).order_by(q.id)
        return (await conn.execute(query)).all()


async def _invites_of_quotas(delegation: DelegationService, quota_ids: list[str]) -> int:
    i = delegation_invite.c
    return await delegation.scalar(sa.select(sa.func.count()).where(i.quota_id.in_(quota_ids)))


async def _delegate(delegation: DelegationService, quota: contract.Quota, email: str, participant_id: str) -> str:
    """An invite accepted and registered as ``participant_id`` (as registering through registration sets it)."""
    accepted = await delegation.accept(await delegation.invite(quota, email))
    i = delegation_invite.c
    statement = sa.update(delegation_invite).where(i.id == accepted.invite_id).values(participant_id=participant_id)
    await delegation.execute(statement)
    return accepted.invite_id


async def _emails_in_events(delegation: DelegationService, invite_id: str) -> set[str]:
    """The e-mails the invite's events in the outbox read as, opened with the person keys as a consumer would."""
    outbox = delegation.runtime.spec.messaging.outbox
    async with delegation.runtime.engine.connect() as conn:
        rows = await conn.execute(sa.select(outbox.c.envelope).where(outbox.c.envelope["subject"].astext == invite_id))
        envelopes = [row.envelope for row in rows]
    # an address is sealed; one already blank (an event published after the erasure) needs no key
    assert envelopes and all(
        is_sealed(e["data"]["invite"]["email"]) or e["data"]["invite"]["email"] == "" for e in envelopes
    )
    await open_envelopes(delegation.runtime.person_keys, envelopes)
    return {e["data"]["invite"]["email"] for e in envelopes}


async def test_an_events_quotas_are_copied_with_nothing_used_and_no_invites(delegation: DelegationService):
    ghana = await delegation.quota(3)
    peru = await delegation.quota(5, org="org-peru")
    await delegation.accept(await delegation.invite(ghana, "a@example.org"))
    await delegation.invite(peru, "b@example.org")
    await delegation.flags(FlagKey.DELEGATION_PORTAL, tenant=OTHER_TENANT)
    await delegation.seed_event("event-theirs", tenant=OTHER_TENANT)
    await delegation.quota(4, event="event-theirs", tenant=OTHER_TENANT)
    operation = new_id()

    copied = await delegation.call(COPY, _copy(operation))

    assert copied.counts == {"quotas": 2}
    assert copied.id_map == {ghana.id: derived_id(operation, ghana.id), peru.id: derived_id(operation, peru.id)}
    copies = await _quotas(delegation, TARGET)
    assert [(c.id, c.organization_id, c.max_participants, c.used_count) for c in copies] == sorted(
        [(copied.id_map[ghana.id], ORG, 3, 0), (copied.id_map[peru.id], "org-peru", 5, 0)]
    )
    assert await _invites_of_quotas(delegation, [c.id for c in copies]) == 0
    announced = [c["quota"] for c in await delegation.events(contract.QUOTA_CHANGED)]
    assert sorted(q["id"] for q in announced if q["eventId"] == TARGET) == sorted(copied.id_map.values())
    assert (await delegation.used(ghana.id), await _invites_of_quotas(delegation, [ghana.id])) == (1, 1)


async def test_a_repeated_copy_answers_the_same_and_announces_nothing_twice(delegation: DelegationService):
    await delegation.quota(3)
    operation = new_id()
    first = await delegation.call(COPY, _copy(operation))
    announced = len(await delegation.events(contract.QUOTA_CHANGED))

    again = await delegation.call(COPY, _copy(operation))

    assert again == first
    assert len(await _quotas(delegation, TARGET)) == 1
    assert len(await delegation.events(contract.QUOTA_CHANGED)) == announced


async def test_quotas_not_asked_for_or_of_an_unknown_event_copy_nothing(delegation: DelegationService):
    await delegation.quota(3)
    assert (await delegation.call(COPY, _copy(new_id(), delegations=False))).counts == {}
    assert (await delegation.call(COPY, _copy(new_id(), source="no-such-event"))).counts == {"quotas": 0}
    assert (await delegation.call(COPY, _copy(new_id()), tenant=OTHER_TENANT)).counts == {"quotas": 0}
    assert await _quotas(delegation, TARGET) == []


async def test_the_drop_deletes_the_clones_quotas_announced_and_is_idempotent(delegation: DelegationService):
    await delegation.quota(3)
    await delegation.quota(5, org="org-peru")
    operation = new_id()
    copied = await delegation.call(COPY, _copy(operation))

    dropped = await delegation.call(DROP, {"operationId": operation, "targetEventId": TARGET})

    assert dropped.counts == {"quotas": 2}
    assert await _quotas(delegation, TARGET) == []
    deleted = [d["quota"]["id"] for d in await delegation.events(contract.QUOTA_DELETED)]
    assert sorted(deleted) == sorted(copied.id_map.values())
    assert len(await _quotas(delegation, EVENT)) == 2
    assert (await delegation.call(DROP, {"operationId": operation, "targetEventId": TARGET})).counts == {"quotas": 0}


async def test_a_part_without_its_ids_or_tenant_is_refused(delegation: DelegationService):
    with pytest.raises(ValidationFailed):
        await delegation.call(COPY, COPY.request.model_construct(source_event_id=EVENT))
    with pytest.raises(ValidationFailed):
        await delegation.call(ERASE, ERASE.request.model_construct(participant_id="p-1"))
    with pytest.raises(BadRequest):
        await delegation.call(DROP, {"operationId": new_id(), "targetEventId": TARGET}, tenant=None)


# --- the erasure --------------------------------------------------------------------------------


async def test_erasing_a_person_leaves_their_e_mail_nowhere_in_the_schema_and_the_counts_hold(
    delegation: DelegationService,
):
    ghana = await delegation.quota(2)
    peru = await delegation.quota(1, org="org-peru")
    registered = await _delegate(delegation, ghana, EMAIL.lower(), "p-kofi")
    waiting = await delegation.call(contract.SEND_INVITE, {"quotaId": peru.id, "email": EMAIL}, idempotency_key="k-1")
    await delegation.accept(await delegation.invite(peru, "someone@example.org"))  # full: Kofi waits
    await delegation.call(contract.WAIT_FOR_PLACE, {"token": await delegation.token_of(waiting.id)}, tenant=None)
    other = await _delegate(delegation, ghana, "ama@example.org", "p-ama")
    assert (await delegation.invite_row(waiting.id)).waitlisted_at is not None
    before = await delegation.invite_row(other)

    receipt = await delegation.call(ERASE, _erase("p-kofi"))

    assert receipt.service == "delegation"
    assert receipt.anonymised["delegation_invite"] == 2
    assert receipt.erased == {"idempotency_key": 1}
    assert await rows_holding(delegation.runtime.engine, "delegation", EMAIL) == {}
    kept = await delegation.invite_row(registered)
    assert (kept.status, kept.participant_id, kept.email) == ("ACCEPTED", "p-kofi", "")
    assert len(kept.token) != 64  # no link opens it any more
    cancelled = await delegation.invite_row(waiting.id)
    assert (cancelled.status, cancelled.waitlisted_at, cancelled.email) == ("CANCELLED", None, "")
    assert (await delegation.used(ghana.id), await delegation.used(peru.id)) == (2, 1)
    assert await delegation.invite_row(other) == before
    assert await _emails_in_events(delegation, waiting.id) == {""}  # sent, waitlisted, cancelled: keys gone
    assert await _emails_in_events(delegation, registered) == {""}
    assert await _emails_in_events(delegation, other) == {"ama@example.org"}


async def test_an_erased_delegate_leaving_still_gives_the_place_back(delegation: DelegationService):
    quota = await delegation.quota(1)
    await _delegate(delegation, quota, EMAIL, "p-kofi")
    await delegation.call(ERASE, _erase("p-kofi"))
    payload = {"eventId": EVENT, "participantTypeId": DELEGATE_TYPE, "slots": 1, "reason": "deleted"}
    await delegation.publish(registration.SLOTS_FREED, {**payload, "triggerEntityId": "p-kofi"})

    async def given_back() -> bool:
        return await delegation.used(quota.id) == 0

    await eventually(given_back)


async def test_an_erasure_repeated_unknown_or_elsewhere_erases_nothing_more(delegation: DelegationService):
    quota = await delegation.quota(3)
    await _delegate(delegation, quota, EMAIL, "p-kofi")
    await delegation.seed_event("event-2", tenant=TENANT)
    elsewhere = await delegation.quota(3, event="event-2")
    at_another_event = await _delegate(delegation, elsewhere, EMAIL, "p-kofi-2")
    await delegation.flags(FlagKey.DELEGATION_PORTAL, tenant=OTHER_TENANT)
    await delegation.seed_event("event-b", tenant=OTHER_TENANT)
    theirs = await delegation.quota(3, event="event-b", tenant=OTHER_TENANT)
    their_invite = await delegation.call(
        contract.SEND_INVITE, {"quotaId": theirs.id, "email": EMAIL}, tenant=OTHER_TENANT
    )
    assert (await delegation.call(ERASE, _erase("p-kofi"))).anonymised["delegation_invite"] == 1

    again = await delegation.call(ERASE, _erase("p-kofi"))
    unknown = await delegation.call(ERASE, _erase("p-nobody", email=None))

    for receipt in (again, unknown):
        assert all(n == 0 for n in [*receipt.erased.values(), *receipt.anonymised.values()]), receipt
    assert (await delegation.invite_row(at_another_event)).email == EMAIL
    assert (await delegation.invite_row(their_invite.id)).email == EMAIL
