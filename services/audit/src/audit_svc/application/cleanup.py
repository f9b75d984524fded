"""A deleted tenant's index entries go; its events stay in the streams until their max age (the subject has no
tenant to purge them by)."""

from typing import Any

from plenary_contracts.envelope import CloudEvent
from plenary_kit.db.uow import UnitOfWork

from ..adapters import entry_repository


async def forget_tenant(uow: UnitOfWork, event: CloudEvent, payload: Any) -> None:
    await entry_repository.purge_tenant(uow.session, payload.tenant_id)
