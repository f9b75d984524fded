"""identity's bus entrypoints: they translate, the use cases decide."""

from typing import Any

from nats.js import JetStreamContext

from plenary_contracts.catalog import identity as contract
from plenary_contracts.envelope import CloudEvent
from plenary_contracts.streams import consumer
from plenary_kit.db import UnitOfWork
from plenary_kit.service import Runtime

from ..adapters import flag_mirror, flag_repository
from ..adapters.passwords import Passwords
from ..adapters.signing_keys import TokenSigner
from ..application import flags, revocations, tenants
from ..application.api_keys import ApiKeys, mirror_api_keys, sweep_expired_keys
from ..application.sessions import Sessions
from ..application.users import Users


def register(runtime: Runtime) -> None:
    settings = runtime.base_settings
    passwords = Passwords()
    sessions = Sessions(
        passwords, TokenSigner(runtime.engine), settings.access_token_seconds, settings.refresh_token_days
    )
    users = Users(passwords)
    api_keys = ApiKeys(settings.api_key_secret)

    runtime.serve(contract.LOGIN, sessions.login)
    runtime.serve(contract.REFRESH_SESSION, sessions.refresh_session)
    runtime.serve(contract.LOGOUT, sessions.logout)
    runtime.serve(contract.GET_KEY_SET, sessions.get_key_set)
    runtime.serve(contract.GET_CURRENT_USER, sessions.get_current_user)

    runtime.serve(contract.CREATE_TENANT, tenants.create_tenant)
    runtime.serve(contract.LIST_TENANTS, tenants.list_tenants)
    runtime.serve(contract.GET_TENANT, tenants.get_tenant)
    runtime.serve(contract.UPDATE_TENANT, tenants.update_tenant)
    runtime.serve(contract.TENANT_EXISTS, tenants.tenant_exists)
    runtime.serve(contract.DELETE_TENANT, tenants.delete_tenant)

    runtime.serve(contract.CREATE_USER, users.create_user)
    runtime.serve(contract.LIST_USERS, users.list_users)
    runtime.serve(contract.GET_USER, users.get_user)
    runtime.serve(contract.UPDATE_USER, users.update_user)
    runtime.serve(contract.DELETE_USER, users.delete_user)
    runtime.serve(contract.ASSIGN_ROLE, users.assign_role)
    runtime.serve(contract.UNASSIGN_ROLE, users.unassign_role)
    runtime.serve(contract.LIST_ROLES, users.list_roles)

    runtime.serve(contract.CREATE_API_KEY, api_keys.create_api_key)
    runtime.serve(contract.LIST_API_KEYS, api_keys.list_api_keys)
    runtime.serve(contract.GET_API_KEY, api_keys.get_api_key)
    runtime.serve(contract.UPDATE_API_KEY, api_keys.update_api_key)
    runtime.serve(contract.REVOKE_API_KEY, api_keys.revoke_api_key)
    runtime.serve(contract.ROTATE_API_KEY, api_keys.rotate_api_key)
    runtime.serve(contract.FIND_API_KEY_CREDENTIAL, api_keys.find_api_key_credential)
    runtime.serve(contract.RECORD_API_KEY_USAGE, api_keys.record_api_key_usage)

    runtime.serve(contract.SET_FEATURE_FLAG, flags.set_feature_flag)
    runtime.serve(contract.LIST_FEATURE_FLAGS, flags.list_feature_flags)
    runtime.serve(contract.EVALUATE_FEATURE_FLAG, flags.evaluate_feature_flag)

    async def mirror_flag(uow: UnitOfWork, event: CloudEvent, payload: Any) -> None:
        # The row, not the payload: a late redelivery cannot put an older state back.
        state = await flag_repository.get(uow.session, payload.key)
        if state is not None:
            assert runtime.nc is not None
            await flag_mirror.put(runtime.nc.jetstream(), [state])

    async def mirror_api_key(uow: UnitOfWork, event: CloudEvent, payload: Any) -> None:
        assert runtime.nc is not None
        await mirror_api_keys(uow, payload, runtime.nc.jetstream())

    async def mirror_revocation(uow: UnitOfWork, event: CloudEvent, payload: Any) -> None:
        assert runtime.nc is not None
        await revocations.mirror_revocation(uow, payload, runtime.nc.jetstream())

    def jetstream() -> JetStreamContext:
        assert runtime.nc is not None
        return runtime.nc.jetstream()

    async def sweep() -> None:
        await sweep_expired_keys(runtime.uow)

    runtime.consume(consumer("identity_flag_mirror"), [contract.FEATURE_FLAG_CHANGED], mirror_flag)
    runtime.consume(
        consumer("identity_api_key_mirror"),
        [
            contract.API_KEY_CREATED,
            contract.API_KEY_UPDATED,
            contract.API_KEY_REVOKED,
            contract.API_KEY_ROTATED,
            contract.API_KEY_EXPIRED,
        ],
        mirror_api_key,
    )
    runtime.consume(consumer("identity_token_revocations"), [contract.TOKENS_REVOKED], mirror_revocation)
    runtime.relay_hook = revocations.write_after_publish(runtime.uow, jetstream)
    runtime.every(settings.api_key_sweep_seconds, sweep)
