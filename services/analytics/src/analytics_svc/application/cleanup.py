"""A deleted tenant's projections (every generation) and snapshots go; the messaging tables stay."""

from plenary_kit.db import UnitOfWork

from ..adapters import tenant_data


async def tenant_deleted(uow: UnitOfWork, tenant_id: str) -> None:
    await tenant_data.purge(uow.session, tenant_id)
