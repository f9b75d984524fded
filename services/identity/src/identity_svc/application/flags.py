"""Feature flags: set, list, evaluate, and the mirror the gateways read them from."""

from nats.js import JetStreamContext

from plenary_contracts.catalog import identity as contract
from plenary_contracts.errors import NotFound
from plenary_contracts.flags import FlagState
from plenary_kit.db import UnitOfWork

from ..adapters import flag_mirror, flag_repository
from ..adapters.flag_repository import to_state


async def set_feature_flag(request: contract.SetFeatureFlag, uow: UnitOfWork) -> FlagState:
    current = await flag_repository.get(uow.session, request.key.value, for_update=True)
    if current is None:
        raise NotFound(f"feature flag {request.key.value} does not exist; run `plenary seed`")
    updated = current.updated(request.model_dump(exclude={"key"}, by_alias=False))
    await flag_repository.save(uow.session, updated)
    state = to_state(updated)
    uow.publish(
        contract.FEATURE_FLAG_CHANGED,
        contract.FeatureFlagChanged(key=state.key, state=state),
        subject=state.key,
    )
    return state


async def list_feature_flags(request: contract.ListFeatureFlags, uow: UnitOfWork) -> contract.FeatureFlagList:
    return contract.FeatureFlagList(data=[to_state(f) for f in await flag_repository.list_all(uow.session)])


async def evaluate_feature_flag(
    request: contract.EvaluateFeatureFlag, uow: UnitOfWork
) -> contract.FeatureFlagEvaluation:
    flag = await flag_repository.get(uow.session, request.key.value)
    context = request.context
    enabled = flag is not None and flag.is_enabled(context.tenant_id, context.roles, context.user_id)
    return contract.FeatureFlagEvaluation(key=request.key, enabled=enabled)


async def mirror_flag(uow: UnitOfWork, changed: contract.FeatureFlagChanged, js: JetStreamContext) -> None:
    """Put the flag's row into the bucket. The row, not the payload: a late redelivery cannot put an older
    state back."""
    state = await flag_repository.get(uow.session, changed.key)
    if state is not None:
        await flag_mirror.put(js, [state])
