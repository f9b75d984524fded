"""A service running in the test process, driven over the real bus as the gateway and other services
would drive it: calls with a caller's context, flags, other services' events, and its committed events."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from nats.aio.client import Client
from pydantic import BaseModel

from plenary_contracts.envelope import CloudEvent
from plenary_contracts.events import EventSpec
from plenary_contracts.flags import FlagContext, FlagKey
from plenary_contracts.operations import OperationSpec
from plenary_contracts.streams import ConsumerSpec

from .. import context as ctx
from ..bus.connection import connect
from ..bus.rpc import call
from ..personal_keys import PersonKeys
from ..service import Runtime, ServiceSpec
from ..settings import Settings
from .flags import put_flag
from .plugin import eventually
from .producing import publish_produced

TENANT = "tenant-a"
OTHER_TENANT = "tenant-b"
ADMIN = "admin-user"


@dataclass
class ServiceHarness:
    runtime: Runtime
    nc: Client

    async def call(
        self,
        spec: OperationSpec,
        request: BaseModel | dict[str, Any],
        *,
        tenant: str | None = TENANT,
        actor: str | None = ADMIN,
        **context: Any,
    ) -> Any:
        return await call(self.nc, spec, request, context=ctx.Context(tenant_id=tenant, actor_id=actor, **context))

    async def flags(self, *keys: FlagKey, tenant: str = TENANT) -> None:
        """Turn flags on for one tenant, as identity's mirror would, and wait until the service sees them."""
        for key in keys:
            await put_flag(self.nc, key, tenants=(tenant,))
        await eventually(lambda: all(self.runtime.flags.is_enabled(k, FlagContext(tenant_id=tenant)) for k in keys))

    async def publish(self, spec: EventSpec, data: dict[str, Any], *, tenant: str = TENANT) -> CloudEvent:
        """Publish an event on JetStream as its producer's outbox relay would."""
        return await publish_produced(self.nc, spec, data, tenant=tenant, actor=ADMIN)

    async def events(self, spec: EventSpec) -> list[dict[str, Any]]:
        """Payloads (``data``) of the service's committed events of one kind, oldest first, in either lane, with
        their personal values opened as a consumer would open them (erased ones read as erased)."""
        outbox = self.runtime.spec.messaging.outbox
        of_kind = outbox.c.envelope["type"].astext == spec.type
        async with self.runtime.engine.connect() as conn:
            rows = await conn.execute(sa.select(outbox.c.envelope).where(of_kind).order_by(outbox.c.created_at))
            envelopes = [r.envelope for r in rows]
        keys = PersonKeys(self.runtime.base_settings.personal_data_secret)  # on the test's connection: the
        await keys.start(self.nc)  # runtime may be stopped (a test that runs the service as a process)
        try:
            await keys.unseal_envelopes(envelopes)
        finally:
            await keys.stop()
        return [envelope["data"] for envelope in envelopes]

    async def execute(self, statement: Any, parameters: Any = None) -> Any:
        async with self.runtime.engine.begin() as conn:
            return await conn.execute(statement, parameters)

    async def scalar(self, statement: Any) -> Any:
        async with self.runtime.engine.connect() as conn:
            return (await conn.execute(statement)).scalar()


async def consumers_settled(nc: Client, specs: Iterable[ConsumerSpec], timeout: float = 30) -> None:
    """Wait until each durable (each of its lanes) has handled and acknowledged every event published so far:
    the way to see that an event was ignored. Idle twice, 50 ms apart: the server counts a message just
    published into a durable's pending a moment later, so a durable seen idle once may not have been given it."""
    js = nc.jetstream()
    wanted = list(specs)

    async def caught_up() -> bool:
        for spec in wanted:
            for lane in spec.durables():
                info = await js.consumer_info(spec.stream, lane.durable)
                if info.num_pending or info.num_ack_pending:
                    return False
        return True

    async def still_caught_up() -> bool:
        if not await caught_up():
            return False
        await asyncio.sleep(0.05)
        return await caught_up()

    await eventually(still_caught_up, timeout=timeout)


@contextlib.asynccontextmanager
async def running(
    spec: ServiceSpec,
    settings: Settings,
    *,
    flags: Iterable[FlagKey] = (),
    tenants: tuple[str, ...] = (TENANT, OTHER_TENANT),
) -> AsyncIterator[tuple[Runtime, Client]]:
    """The service's runtime started and a client connection of the test's, with ``flags`` on for ``tenants``
    once the runtime sees them; both stopped at the end."""
    runtime = Runtime(spec, settings)
    await runtime.start()
    nc = await connect(settings.nats_url, f"{spec.name}-test")
    try:
        wanted = list(flags)
        for key in wanted:
            await put_flag(nc, key, tenants=tenants)
        await eventually(
            lambda: all(runtime.flags.is_enabled(k, FlagContext(tenant_id=t)) for k in wanted for t in tenants)
        )
        yield runtime, nc
    finally:
        await nc.drain()
        await runtime.stop()
