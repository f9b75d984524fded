"""webhooks's consumers: one durable per producer whose events feed the public catalog (every event type of
that producer is listed, the ones the catalog does not map are acknowledged at no cost), and the tenant purge."""

from plenary_contracts.catalog import identity
from plenary_contracts.envelope import CloudEvent
from plenary_contracts.registry import EVENTS
from plenary_contracts.streams import consumer
from plenary_kit.db import UnitOfWork
from plenary_kit.service import Runtime

from ..application import cleanup
from ..application.dispatch import Dispatch
from ..application.replays import PRODUCERS


def register(runtime: Runtime, dispatch: Dispatch) -> None:
    for producer in PRODUCERS:
        produced = [spec for spec in EVENTS if spec.producer == producer]
        runtime.consume(consumer(f"webhooks_dispatch_{producer}"), produced, dispatch.on_event)
    runtime.consume_each(consumer("webhooks_tenant_cleanup"), {identity.TENANT_DELETED: _on_tenant_deleted})


async def _on_tenant_deleted(uow: UnitOfWork, event: CloudEvent, payload: identity.TenantDeleted) -> None:
    await cleanup.tenant_deleted(uow, payload.tenant_id)
