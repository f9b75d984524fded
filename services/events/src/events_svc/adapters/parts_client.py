"""The services that copy their parts of a clone, asked over the bus (``saga_parts``)."""

from plenary_contracts.saga_parts import (
    COPY_EVENT_PART,
    DROP_EVENT_PART,
    CopiedPart,
    CopyEventPart,
    DropEventPart,
    DroppedPart,
)
from plenary_kit import context as ctx
from plenary_kit.bus.rpc import call
from plenary_kit.service import Runtime


class PartsClient:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime  # its NATS connection exists only once the runtime started

    def _as(self, tenant_id: str, actor_id: str, key: str) -> ctx.Context:
        """The saga's tenant and creator; the key makes a repeated step (a retry, a resumed saga) answer
        with the reply the service stored the first time instead of acting twice."""
        return ctx.Context(tenant_id=tenant_id, actor_id=actor_id, correlation_id=key, idempotency_key=key)

    async def copy(self, service: str, request: CopyEventPart, *, tenant_id: str, actor_id: str) -> CopiedPart:
        key = f"{request.operation_id}:{service}:copy"
        return await call(
            self.runtime.nc, COPY_EVENT_PART[service], request, context=self._as(tenant_id, actor_id, key)
        )

    async def drop(self, service: str, request: DropEventPart, *, tenant_id: str, actor_id: str) -> DroppedPart:
        key = f"{request.operation_id}:{service}:drop"
        return await call(
            self.runtime.nc, DROP_EVENT_PART[service], request, context=self._as(tenant_id, actor_id, key)
        )
