"""API keys on the bus, the consumer that mirrors usable keys into the gateways' bucket, the consumer that takes a
deleted event out of the keys scoped to it, and the timer that expires keys."""

from collections.abc import Callable

from nats.js import JetStreamContext

from plenary_contracts.catalog import events
from plenary_contracts.catalog import identity as contract
from plenary_contracts.envelope import CloudEvent
from plenary_contracts.streams import consumer
from plenary_kit.db import UnitOfWork
from plenary_kit.service import Runtime

from ..application.api_keys import ApiKeys, event_deleted, mirror_api_keys, sweep_expired_keys


def register(runtime: Runtime, api_keys: ApiKeys, jetstream: Callable[[], JetStreamContext]) -> None:
    runtime.serve(contract.CREATE_API_KEY, api_keys.create_api_key)
    runtime.serve(contract.LIST_API_KEYS, api_keys.list_api_keys)
    runtime.serve(contract.GET_API_KEY, api_keys.get_api_key)
    runtime.serve(contract.UPDATE_API_KEY, api_keys.update_api_key)
    runtime.serve(contract.REVOKE_API_KEY, api_keys.revoke_api_key)
    runtime.serve(contract.ROTATE_API_KEY, api_keys.rotate_api_key)
    runtime.serve(contract.FIND_API_KEY_CREDENTIAL, api_keys.find_api_key_credential)
    runtime.serve(contract.RECORD_API_KEY_USAGE, api_keys.record_api_key_usage)

    async def mirror(
        uow: UnitOfWork, event: CloudEvent, payload: contract.ApiKeyChanged | contract.ApiKeyRotated
    ) -> None:
        await mirror_api_keys(uow, payload, jetstream())

    async def event_deleted_keys(uow: UnitOfWork, event: CloudEvent, payload: events.EventDeleted) -> None:
        await event_deleted(uow, event.tenantid, payload)

    async def sweep() -> None:
        await sweep_expired_keys(runtime.uow)

    runtime.consume(
        consumer("identity_api_key_mirror"),
        [
            contract.API_KEY_CREATED,
            contract.API_KEY_UPDATED,
            contract.API_KEY_REVOKED,
            contract.API_KEY_ROTATED,
            contract.API_KEY_EXPIRED,
        ],
        mirror,
    )
    runtime.consume(consumer("identity_event_keys"), [events.EVENT_DELETED], event_deleted_keys)
    runtime.every(runtime.base_settings.api_key_sweep_seconds, sweep)
