"""identity, asked over the bus about a user the local directory does not hold yet."""

from plenary_contracts.catalog import identity
from plenary_kit.bus.rpc import find
from plenary_kit.service import Runtime


class IdentityClient:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime  # its NATS connection exists only once the runtime started

    async def user(self, tenant_id: str, user_id: str) -> identity.User | None:
        """The tenant's live user; None when identity does not know it there. 503/504 when identity is silent."""
        found = await find(self.runtime.nc, identity.GET_USER, identity.UserRef(id=user_id), tenant_id=tenant_id)
        return found if found is not None and found.tenant_id == tenant_id else None
