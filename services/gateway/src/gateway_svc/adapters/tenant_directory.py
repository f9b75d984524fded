"""Whether a tenant exists, for a global admin's ``X-Tenant-Id``: identity is asked once per tenant and
the answer kept a while (tenants are rarely created); a deleted tenant stops answering at once, through
the revocation its deletion writes."""

from .remembered import RememberedLookup
from .revocation_mirror import RevocationMirror


class TenantDirectory:
    def __init__(self, revocations: RevocationMirror, known: RememberedLookup[bool]) -> None:
        self._revocations = revocations
        self._known = known

    async def exists(self, tenant_id: str) -> bool:
        if self._revocations.tenant_deleted(tenant_id):
            return False
        return bool(await self._known(tenant_id))
