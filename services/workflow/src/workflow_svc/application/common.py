"""What every workflow use case needs: the caller's tenant and identity, the clock, whether a flag is on,
422s from a pure domain's problems (``located``), and the caller's live workflow."""

from collections.abc import Callable

from plenary_contracts.errors import NotFound
from plenary_contracts.flags import FlagKey
from plenary_kit.acting import Loc, actor, field_error, located, refuse, tenant, utcnow
from plenary_kit.db import UnitOfWork

from ..adapters import workflow_repository as workflows
from ..adapters.records import Workflow

__all__ = ["FlagCheck", "Loc", "actor", "field_error", "live_workflow", "located", "refuse", "tenant", "utcnow"]

FlagCheck = Callable[[FlagKey], bool]
"""Whether a flag is on for the current caller: its tenant, roles and user."""


async def live_workflow(uow: UnitOfWork, workflow_id: str, *, for_update: bool = False) -> Workflow:
    """The caller's tenant's workflow; deleted, missing and other tenants' ones are all not found."""
    row = await workflows.get_workflow(uow.session, workflow_id, tenant(), for_update=for_update)
    if row is None:
        raise NotFound(f"workflow {workflow_id} not found")
    return row
