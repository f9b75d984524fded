"""identity's bus entrypoints: they translate, the use cases decide."""

from typing import Any

from plenary_contracts.catalog import identity as contract
from plenary_contracts.envelope import CloudEvent
from plenary_contracts.streams import consumer
from plenary_kit.db import UnitOfWork
from plenary_kit.service import Runtime

from ..adapters import flag_mirror, flag_repository
from ..application import flags


def register(runtime: Runtime) -> None:
    runtime.serve(contract.SET_FEATURE_FLAG, flags.set_feature_flag)
    runtime.serve(contract.LIST_FEATURE_FLAGS, flags.list_feature_flags)
    runtime.serve(contract.EVALUATE_FEATURE_FLAG, flags.evaluate_feature_flag)

    async def mirror_flag(uow: UnitOfWork, event: CloudEvent, payload: Any) -> None:
        # The row, not the payload: a late redelivery cannot put an older state back.
        state = await flag_repository.get(uow.session, payload.key)
        if state is not None:
            assert runtime.nc is not None
            await flag_mirror.put(runtime.nc.jetstream(), [state])

    runtime.consume(consumer("identity_flag_mirror"), [contract.FEATURE_FLAG_CHANGED], mirror_flag)
