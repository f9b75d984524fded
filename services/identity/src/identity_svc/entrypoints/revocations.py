"""Revoked access tokens into the gateways' bucket: at once through the outbox relay's hook, and again by
a consumer that heals a write missed there."""

from collections.abc import Callable

from nats.js import JetStreamContext

from plenary_contracts.catalog import identity as contract
from plenary_contracts.envelope import CloudEvent
from plenary_contracts.streams import consumer
from plenary_kit.db import UnitOfWork
from plenary_kit.service import Runtime

from ..application import revocations


def register(runtime: Runtime, jetstream: Callable[[], JetStreamContext]) -> None:
    async def mirror(uow: UnitOfWork, event: CloudEvent, payload: contract.TokensRevoked) -> None:
        await revocations.mirror_revocation(uow, payload, jetstream())

    runtime.consume(consumer("identity_token_revocations"), [contract.TOKENS_REVOKED], mirror)
    runtime.relay_hook = revocations.write_after_publish(runtime.uow, jetstream)
    runtime.relay_hook_types = {contract.TOKENS_REVOKED.type}  # the relay keeps its other events pipelined
