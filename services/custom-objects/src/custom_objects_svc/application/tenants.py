"""A deleted tenant's custom objects go with it; no event is published per row."""

from plenary_kit.db import UnitOfWork

from ..adapters import tenant_purge


async def tenant_deleted(uow: UnitOfWork, tenant_id: str) -> None:
    await tenant_purge.purge(uow.session, tenant_id)
