"""A deleted tenant's rows go, dependents first; the messaging tables are not the tenant's data."""

from plenary_kit.db import UnitOfWork

from ..adapters import tenant_data
from .reference_cache import ReferenceCache


async def tenant_deleted(uow: UnitOfWork, cache: ReferenceCache, tenant_id: str) -> None:
    await tenant_data.purge(uow.session, tenant_id)
    cache.changed(uow, tenant_id)
