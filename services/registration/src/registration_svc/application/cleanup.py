"""A deleted tenant's rows go, dependents first; the messaging tables are not the tenant's data."""

from plenary_kit.db import UnitOfWork

from ..adapters import tenant_data


async def tenant_deleted(uow: UnitOfWork, tenant_id: str) -> None:
    await tenant_data.purge(uow.session, tenant_id)
