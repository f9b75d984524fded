"""Crypto-shredding: a person's data inside events is sealed with their key, read by consumers, and gone for
every reader, everywhere, once the key is destroyed."""

import asyncio
import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from plenary_contracts.catalog import registration
from plenary_contracts.streams import ConsumerSpec, event_stream_name
from plenary_kit.bus.connection import connect
from plenary_kit.context import Context, reset, use
from plenary_kit.db import UnitOfWork
from plenary_kit.personal_keys import PersonKeys, PersonKeysUnavailable
from plenary_kit.testing.plugin import eventually
from plenary_kit.testing.servers import ensure_consumer

NAME, EMAIL = "Wilhelmina", "wilhelmina.zed@example.org"


def _participant(participant_id: str) -> registration.ParticipantChanged:
    now = datetime.now(UTC)
    record = registration.ParticipantRecord(
        id=participant_id,
        tenant_id="t1",
        event_id="e1",
        participant_type_id="pt1",
        registration_code="R-1",
        first_name=NAME,
        last_name="Zed",
        email=EMAIL,
        extras={"passport": "P123456"},
        created_at=now,
        updated_at=now,
    )
    return registration.ParticipantChanged(participant=record)


async def _commit(runtime, participant_id: str) -> None:  # type: ignore[no-untyped-def]
    token = use(Context(tenant_id="t1", actor_id="u1"))
    try:
        async with runtime.uow() as uow:
            uow.publish(registration.PARTICIPANT_REGISTERED, _participant(participant_id), subject=participant_id)
            await uow.commit()
    finally:
        reset(token)


CONSUMER = ConsumerSpec(
    service="identity",
    durable="test_personal_reader",
    stream=event_stream_name("registration"),
    filter_subject=registration.PARTICIPANT_REGISTERED.subject,
    description="test consumer",
    max_deliver=3,
    ack_wait_seconds=5,
)


async def test_personal_values_are_sealed_everywhere_opened_for_consumers_and_erased_with_the_key(
    plenary_settings, identity_runtime
):
    seen: list[registration.ParticipantChanged] = []

    async def remember(uow, event, payload):  # type: ignore[no-untyped-def]
        seen.append(payload)

    await ensure_consumer(plenary_settings.nats_url, CONSUMER)
    identity_runtime.consume(CONSUMER, [registration.PARTICIPANT_REGISTERED], remember)
    await identity_runtime.start()
    await _commit(identity_runtime, "p-erased")
    await _commit(identity_runtime, "p-kept")

    # the consumer reads the details in clear
    await eventually(lambda: len(seen) == 2)
    assert {p.participant.first_name for p in seen} == {NAME}
    assert seen[0].participant.extras == {"passport": "P123456"}

    # the outbox row and the stream hold only ciphertext
    outbox = identity_runtime.spec.messaging.outbox
    async with identity_runtime.engine.connect() as conn:
        stored = [str(e) for e in (await conn.execute(sa.select(outbox.c.envelope))).scalars()]
    nc = await connect(plenary_settings.nats_url, "test-personal")
    try:
        js = nc.jetstream()
        stream = event_stream_name("registration")
        raw = [(await js.get_msg(stream, seq=n)).data.decode() for n in (1, 2)]
        for text in (*stored, *raw):
            assert NAME not in text and EMAIL not in text and "P123456" not in text
            assert "$sealed" in text

        async def read_by(keys: PersonKeys) -> list[dict]:  # type: ignore[type-arg]
            copies = [
                {"type": registration.PARTICIPANT_REGISTERED.type, "tenantid": "t1", "data": json.loads(t)} for t in raw
            ]
            await keys.unseal_envelopes(copies)
            return [c["data"]["participant"] for c in copies]

        # another process has read (and cached) the keys; the erasure reaches it through the bucket
        elsewhere = PersonKeys(plenary_settings.personal_data_secret)
        await elsewhere.start(nc)
        assert {p["firstName"] for p in await read_by(elsewhere)} == {NAME}

        await identity_runtime.person_keys.forget("t1", "p-erased")

        async def erased_for(keys: PersonKeys) -> bool:
            by_id = {p["id"]: p for p in await read_by(keys)}
            return by_id["p-erased"]["firstName"] == "" and by_id["p-kept"]["firstName"] == NAME

        await eventually(lambda: erased_for(elsewhere))
        assert await erased_for(identity_runtime.person_keys)
        fresh = PersonKeys(plenary_settings.personal_data_secret)
        await fresh.start(nc)
        by_id = {p["id"]: p for p in await read_by(fresh)}
        assert by_id["p-erased"] | {"updatedAt": None, "createdAt": None} == by_id["p-erased"] | {
            "firstName": "",
            "lastName": "",
            "email": "",
            "extras": {},
            "updatedAt": None,
            "createdAt": None,
        }
        assert by_id["p-kept"]["email"] == EMAIL
        # the erased event still reads as its payload: ids, status and times stay for the counts
        registration.ParticipantChanged.model_validate({"participant": by_id["p-erased"]})
        await asyncio.gather(elsewhere.stop(), fresh.stop())
    finally:
        await nc.drain()


async def test_a_unit_of_work_without_the_key_store_refuses_to_record_personal_data(identity_runtime):
    token = use(Context(tenant_id="t1"))
    try:
        async with UnitOfWork(identity_runtime.sessions, identity_runtime.spec.messaging) as uow:
            uow.publish(registration.PARTICIPANT_REGISTERED, _participant("p1"), subject="p1")
            with pytest.raises(PersonKeysUnavailable):
                await uow.commit()
    finally:
        reset(token)
