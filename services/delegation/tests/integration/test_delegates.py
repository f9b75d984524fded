"""Delegates register through registration, and their places come back when they leave."""

from typing import Any

import pytest
import sqlalchemy as sa

from plenary_contracts.catalog import delegation as contract
from plenary_contracts.catalog import registration
from plenary_contracts.errors import BadRequest, Conflict, ValidationFailed
from plenary_kit.service import Runtime

from .conftest import DELEGATE_TYPE, EVENT, ORG, TENANT, DelegationService, at_once, eventually

DETAILS = {"participantTypeId": DELEGATE_TYPE, "firstName": "Kofi", "lastName": "Mensah", "jobTitle": "Envoy"}


async def register(delegation: DelegationService, token: str, **details: Any) -> Any:
    body = {"token": token, "delegate": {**DETAILS, **details}}
    return await delegation.call(contract.REGISTER_DELEGATE, body, tenant=None, actor=None)


async def participant(registration_runtime: Runtime, participant_id: str) -> Any:
    table = registration_runtime.spec.metadata.tables["registration.participant"]
    async with registration_runtime.engine.connect() as conn:
        return (await conn.execute(sa.select(table).where(table.c.id == participant_id))).one()


async def freed(delegation: DelegationService, participant_id: str, reason: str, **more: Any) -> None:
    """registration's ``slots.freed`` for the participant, as its outbox relay publishes it."""
    payload = {"eventId": EVENT, "participantTypeId": DELEGATE_TYPE, "slots": 1, "reason": reason}
    await delegation.publish(registration.SLOTS_FREED, {**payload, "triggerEntityId": participant_id, **more})


async def test_an_accepted_delegate_registers_once_tagged_with_the_organisation(
    delegation: DelegationService, registration: Runtime
):
    quota = await delegation.quota(3)
    token = await delegation.invite(quota, "kofi@example.org")
    accepted = await delegation.accept(token)
    done = await register(delegation, token)
    stored = await participant(registration, done.participant_id)
    assert (stored.organization, stored.email, stored.event_id, stored.status) == (
        ORG,
        "kofi@example.org",
        EVENT,
        "PENDING",
    )
    assert (await delegation.invite_row(accepted.invite_id)).participant_id == done.participant_id
    (registered,) = await delegation.events(contract.INVITE_REGISTERED)
    assert registered["invite"]["participantId"] == done.participant_id
    with pytest.raises(Conflict):
        await register(delegation, token, firstName="Ama")


async def test_two_submissions_at_once_register_one_delegate(delegation: DelegationService, registration: Runtime):
    quota = await delegation.quota(3)
    token = await delegation.invite(quota)
    await delegation.accept(token)
    replies = await at_once(register(delegation, token), register(delegation, token, firstName="Ama"))
    assert sum(isinstance(r, contract.DelegateRegistered) for r in replies) == 1
    assert sum(isinstance(r, Conflict) for r in replies) == 1


async def test_a_delegate_registers_only_with_an_accepted_invite(delegation: DelegationService, registration: Runtime):
    quota = await delegation.quota(3)
    token = await delegation.invite(quota)
    with pytest.raises(BadRequest, match="accept"):
        await register(delegation, token)


async def test_the_delegates_details_are_checked_by_registration(delegation: DelegationService, registration: Runtime):
    quota = await delegation.quota(3)
    token = await delegation.invite(quota)
    await delegation.accept(token)
    with pytest.raises(ValidationFailed) as bad_extras:
        await register(delegation, token, extras={"noSuchField": "x"})
    assert bad_extras.value.errors[0].loc[:2] == ["delegate", "extras"]
    with pytest.raises(ValidationFailed) as unknown_type:
        await register(delegation, token, participantTypeId="type-unknown")
    assert unknown_type.value.errors[0].loc == ["delegate", "participantTypeId"]
    done = await register(delegation, token)  # a refusal registered nobody: the invite still registers
    assert done.participant_id


async def test_a_delegate_leaving_gives_the_place_back_exactly_once(delegation: DelegationService):
    quota = await delegation.quota(1)
    token = await delegation.invite(quota)
    accepted = await delegation.accept(token)
    await delegation.execute(
        sa.text("UPDATE delegation.delegation_invite SET participant_id = 'p-1' WHERE id = :id"),
        {"id": accepted.invite_id},
    )
    await freed(delegation, "p-1", "rejected")
    await freed(delegation, "p-1", "cancelled")  # it left twice (reactivated, cancelled): one place only

    async def given_back() -> bool:
        return await delegation.used(quota.id) == 0 and len(await delegation.events(contract.INVITE_RELEASED)) == 1

    await eventually(given_back)
    await freed(delegation, "p-unknown", "cancelled")  # not a delegate: nothing
    await delegation.invite(quota, "next@example.org")  # the organisation may invite again
    assert len(await delegation.events(contract.INVITE_RELEASED)) == 1
    assert (await delegation.invite_row(accepted.invite_id)).place_released_at is not None


async def test_a_merged_delegates_invite_follows_the_survivor(delegation: DelegationService):
    quota = await delegation.quota(2)
    accepted = await delegation.accept(await delegation.invite(quota))
    await delegation.execute(
        sa.text("UPDATE delegation.delegation_invite SET participant_id = 'p-merged' WHERE id = :id"),
        {"id": accepted.invite_id},
    )
    await freed(delegation, "p-merged", "merged", survivorId="p-survivor")

    async def followed() -> bool:
        return (await delegation.invite_row(accepted.invite_id)).participant_id == "p-survivor"

    await eventually(followed)
    assert await delegation.used(quota.id) == 1
    await freed(delegation, "p-survivor", "cancelled")
    await eventually(lambda: given(delegation, quota.id, 0))


async def given(delegation: DelegationService, quota_id: str, used: int) -> bool:
    return await delegation.used(quota_id) == used


async def test_a_place_given_back_goes_first_to_the_organisations_delegate_waiting_for_one(
    delegation: DelegationService,
):
    quota = await delegation.quota(1)
    first = await delegation.accept(await delegation.invite(quota, "first@example.org"))
    # an invite sent while there was room, then refused once the quota filled up, may wait
    await delegation.quota(2)
    late_token = await delegation.invite(quota, "late@example.org")
    await delegation.accept(await delegation.invite(quota, "second@example.org"))
    with pytest.raises(BadRequest, match="full"):
        await delegation.accept(late_token)
    wait = await delegation.call(contract.WAIT_FOR_PLACE, {"token": late_token}, tenant=None, actor=None)
    assert wait.waiting and wait.status == "PENDING"
    await delegation.call(contract.CANCEL_INVITE, {"id": first.invite_id})
    late = await delegation.invite_row_by_email("late@example.org")
    assert late.status == "ACCEPTED" and await delegation.used(quota.id) == 2
    assert (await delegation.events(contract.QUOTA_CHANGED))[-1]["freed"] == 0  # it went to the waiting delegate
    assert (await delegation.accept(late_token)).already_accepted


async def test_waiting_with_a_place_free_accepts_at_once(delegation: DelegationService):
    quota = await delegation.quota(2)
    token = await delegation.invite(quota)
    wait = await delegation.call(contract.WAIT_FOR_PLACE, {"token": token}, tenant=None, actor=None)
    assert (wait.waiting, wait.status) == (False, "ACCEPTED")
    assert await delegation.used(quota.id) == 1


async def test_a_quota_grown_offers_its_new_places_to_waiting_delegates(delegation: DelegationService):
    quota = await delegation.quota(2)
    tokens = [await delegation.invite(quota, f"d{n}@example.org") for n in range(3)]
    await delegation.accept(tokens[0])
    await delegation.accept(tokens[1])
    await delegation.call(contract.WAIT_FOR_PLACE, {"token": tokens[2]}, tenant=None, actor=None)
    assert (await delegation.quota(3)).used_count == 3
    assert (await delegation.invite_row_by_email("d2@example.org")).status == "ACCEPTED"


async def test_a_deleted_event_takes_its_quotas_and_a_deleted_tenant_its_rows(delegation: DelegationService):
    from plenary_contracts.catalog import events, identity

    quota = await delegation.quota(2)
    await delegation.invite(quota)
    await delegation.publish(events.EVENT_DELETED, {"eventId": EVENT})
    await eventually(lambda: count(delegation, "delegation_quota", 0))
    await delegation.quota(2)
    await delegation.publish(identity.TENANT_DELETED, {"tenantId": TENANT})
    await eventually(lambda: count(delegation, "delegation_quota", 0))
    await eventually(lambda: count(delegation, "delegation_invite", 0))


async def count(delegation: DelegationService, table: str, expected: int) -> bool:
    return await delegation.scalar(sa.text(f"SELECT count(*) FROM delegation.{table}")) == expected
