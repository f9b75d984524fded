"""The other services' parts of an erasure, asked over the bus (``saga_parts.ERASE_PERSON``)."""

from plenary_contracts.saga_parts import ERASE_PERSON, ErasePerson, ErasureReceipt
from plenary_kit import context as ctx
from plenary_kit.bus.rpc import call
from plenary_kit.service import Runtime


class ErasureParts:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime  # its NATS connection exists only once the runtime started

    async def erase(self, service: str, tenant_id: str, request: ErasePerson) -> ErasureReceipt:
        """``service``'s receipt; the key makes a repeat (after a lost reply, a restart) answer the same one."""
        assert self.runtime.nc is not None
        caller = ctx.current()
        asked = ctx.Context(
            tenant_id=tenant_id,
            actor_id=caller.actor_id,
            correlation_id=caller.correlation_id,
            idempotency_key=f"{request.erasure_id}:{service}",
        )
        receipt: ErasureReceipt = await call(self.runtime.nc, ERASE_PERSON[service], request, context=asked)
        return receipt
