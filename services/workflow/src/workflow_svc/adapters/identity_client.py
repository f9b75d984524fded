"""identity, asked over the bus about a user the local directory does not hold yet."""

from plenary_contracts.catalog import identity
from plenary_contracts.errors import NotFound
from plenary_kit import context as ctx
from plenary_kit.bus.rpc import call
from plenary_kit.service import Runtime


class IdentityClient:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime  # its NATS connection exists only once the runtime started

    async def user(self, tenant_id: str, user_id: str) -> identity.User | None:
        """The tenant's live user; None when identity does not know it there. 503/504 when identity is silent."""
        caller = ctx.current()
        asked = ctx.Context(tenant_id=tenant_id, actor_id=caller.actor_id, correlation_id=caller.correlation_id)
        try:
            found = await call(self.runtime.nc, identity.GET_USER, identity.UserRef(id=user_id), context=asked)
        except NotFound:
            return None
        return found if found.tenant_id == tenant_id else None
