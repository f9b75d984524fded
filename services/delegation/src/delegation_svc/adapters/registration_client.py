"""Registration, asked over the bus to register a delegate through its one registration path (screening,
extras checked against the event's fields, ``participant.registered`` so the workflow takes them in)."""

from plenary_contracts.catalog import registration
from plenary_contracts.catalog.identity import SYSTEM_USER_ID
from plenary_kit import context as ctx
from plenary_kit.bus.rpc import call
from plenary_kit.service import Runtime


class RegistrationClient:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime  # its NATS connection exists only once the runtime started

    async def register(
        self, tenant_id: str, invite_id: str, request: registration.RegisterParticipant
    ) -> registration.Participant:
        """As the system in the invite's tenant. The idempotency key is the invite's: an attempt whose reply
        was stored registers nobody twice when delegation must try again (its own commit failed)."""
        caller = ctx.current()
        asked = ctx.Context(
            tenant_id=tenant_id,
            actor_id=SYSTEM_USER_ID,
            correlation_id=caller.correlation_id,
            idempotency_key=f"delegation-invite-{invite_id}",
        )
        return await call(self.runtime.nc, registration.REGISTER_PARTICIPANT, request, context=asked)
