"""A deleted tenant's rows go, dependents first; the messaging tables are not the tenant's data."""

from plenary_kit.db import UnitOfWork

from ..adapters import directory_repository as read_model


async def tenant_deleted(uow: UnitOfWork, tenant_id: str) -> None:
    await read_model.purge(uow.session, tenant_id)
