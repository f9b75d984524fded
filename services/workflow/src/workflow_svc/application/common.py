"""What every workflow use case needs: the caller's tenant and identity, the clock, 422s from problems,
and the caller's live workflow."""

from collections.abc import Iterable

from plenary_contracts.errors import FieldError, NotFound
from plenary_kit.acting import Loc, actor, field_error, refuse, tenant, utcnow
from plenary_kit.db import UnitOfWork

from ..adapters import workflow_repository as workflows
from ..adapters.records import Workflow

__all__ = ["Loc", "actor", "condition_errors", "field_error", "live_workflow", "refuse", "tenant", "utcnow"]


def condition_errors(prefix: Loc, problems: Iterable[tuple[Loc, str]]) -> list[FieldError]:
    """``condition_problems`` output as field errors whose location starts at ``prefix``."""
    return [field_error([*prefix, *path], message) for path, message in problems]


async def live_workflow(uow: UnitOfWork, workflow_id: str, *, for_update: bool = False) -> Workflow:
    """The caller's tenant's workflow; deleted, missing and other tenants' ones are all not found."""
    row = await workflows.get_workflow(uow.session, workflow_id, tenant(), for_update=for_update)
    if row is None:
        raise NotFound(f"workflow {workflow_id} not found")
    return row
