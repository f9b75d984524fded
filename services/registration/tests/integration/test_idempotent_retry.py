"""A caller that gave up waiting (the gateway's 504) retries with the same Idempotency-Key while the
first request is still being served: the retry gets the first request's reply, never a screening
conflict with the participant that first request stored."""

import asyncio

import pytest

from plenary_contracts.catalog import registration as contract
from plenary_contracts.errors import IdempotencyKeyReused, Timeout
from plenary_kit import context as ctx
from plenary_kit.bus.rpc import call

from .bulk_support import participants_of
from .conftest import ADMIN, TENANT


async def test_a_retry_after_a_timeout_gets_the_first_requests_participant_not_a_conflict(registration):
    event = await registration.seed_event()
    body = {
        "eventId": event.id,
        "participantTypeId": event.type_id,
        "firstName": "Ada",
        "lastName": "Lovelace",
        "email": "ada@example.org",
    }
    caller = ctx.Context(tenant_id=TENANT, actor_id=ADMIN, idempotency_key="retry-after-504")
    async with registration.screening_held(event.id):  # the first request waits behind another registration
        with pytest.raises(Timeout):
            await call(registration.nc, contract.REGISTER_PARTICIPANT, body, context=caller, timeout=0.5)
        retry = asyncio.create_task(call(registration.nc, contract.REGISTER_PARTICIPANT, body, context=caller))
        await registration.waiting_for_locks(2)  # the first request and its retry

    retried = await retry

    (stored,) = await participants_of(registration, event.id)
    assert retried.id == stored.id and not retried.flagged


async def test_the_same_key_with_another_body_is_refused_as_a_reused_key(registration):
    event = await registration.seed_event()
    body = {"eventId": event.id, "participantTypeId": event.type_id, "firstName": "Ada", "lastName": "Byron"}
    caller = ctx.Context(tenant_id=TENANT, actor_id=ADMIN, idempotency_key="one-key")
    await call(registration.nc, contract.REGISTER_PARTICIPANT, body, context=caller)

    with pytest.raises(IdempotencyKeyReused):
        await call(registration.nc, contract.REGISTER_PARTICIPANT, {**body, "lastName": "King"}, context=caller)
    assert len(await participants_of(registration, event.id)) == 1
