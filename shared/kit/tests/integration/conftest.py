import dataclasses
from collections.abc import AsyncIterator

import pytest
from identity_svc.bootstrap import SERVICE as IDENTITY
from pydantic import BaseModel

from plenary_contracts.events import EventSpec
from plenary_contracts.streams import ConsumerSpec, event_stream_name
from plenary_kit.service import Runtime, ServiceSpec


class Probe(BaseModel):
    n: int


PROBE = EventSpec("identity", "probe", "happened", Probe, "A test event")

BARE_IDENTITY: ServiceSpec = dataclasses.replace(IDENTITY, wire=lambda runtime: None, seed=None)


def probe_consumer(durable: str, max_deliver: int = 4) -> ConsumerSpec:
    return ConsumerSpec(
        service="identity",
        durable=durable,
        stream=event_stream_name("identity"),
        filter_subject=PROBE.subject,
        description="test consumer",
        max_deliver=max_deliver,
        ack_wait_seconds=5,
    )


async def commit_probes(runtime: Runtime, numbers) -> list:
    async with runtime.uow() as uow:
        events = [uow.publish(PROBE, Probe(n=n)) for n in numbers]
        await uow.commit()
    return events


@pytest.fixture
async def identity_runtime(plenary_settings) -> AsyncIterator[Runtime]:
    runtime = Runtime(BARE_IDENTITY, plenary_settings)
    yield runtime
    await runtime.stop()
