"""Feature flags on the bus, and the consumer that mirrors each changed flag into the gateways' bucket."""

from collections.abc import Callable

from nats.js import JetStreamContext

from plenary_contracts.catalog import identity as contract
from plenary_contracts.envelope import CloudEvent
from plenary_contracts.streams import consumer
from plenary_kit.db import UnitOfWork
from plenary_kit.service import Runtime

from ..application import flags


def register(runtime: Runtime, jetstream: Callable[[], JetStreamContext]) -> None:
    runtime.serve(contract.SET_FEATURE_FLAG, flags.set_feature_flag)
    runtime.serve(contract.LIST_FEATURE_FLAGS, flags.list_feature_flags)
    runtime.serve(contract.EVALUATE_FEATURE_FLAG, flags.evaluate_feature_flag)

    async def mirror(uow: UnitOfWork, event: CloudEvent, payload: contract.FeatureFlagChanged) -> None:
        await flags.mirror_flag(uow, payload, jetstream())

    runtime.consume(consumer("identity_flag_mirror"), [contract.FEATURE_FLAG_CHANGED], mirror)
