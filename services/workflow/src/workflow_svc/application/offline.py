"""Offline sync: a client's queued mutation replayed through the engine, once per mutation id.

A mutation id names one mutation: sent again with another participant or action it is
refused (409), never answered with the other mutation's result. The client's clock decides conflicts
(the server wins when it changed the participant at or after the client's timestamp), so it is bound
by the server's: a timestamp more than ``MAX_CLOCK_LEAD`` ahead is refused (422), a smaller lead
counts as now.
"""

from datetime import timedelta
from typing import Any

from plenary_contracts.catalog import workflow as contract
from plenary_contracts.enums import ApprovalAction
from plenary_contracts.errors import Conflict, NotFound
from plenary_contracts.permissions import Permission
from plenary_kit.acting import require_grant
from plenary_kit.db import UnitOfWork

from ..adapters import offline_repository as mutations
from ..adapters import progress_repository as progress
from .actions import Acting, Engine
from .common import actor, field_error, refuse, tenant, utcnow

_ENGINE_ACTIONS = {
    "approve": ApprovalAction.APPROVE,
    "reject": ApprovalAction.REJECT,
    "bypass": ApprovalAction.BYPASS,
    "print": ApprovalAction.PRINT,
}
MAX_CLOCK_LEAD = timedelta(minutes=2)
_PERMISSIONS = {
    **{kind: contract.action_permission(action) for kind, action in _ENGINE_ACTIONS.items()},
    "collect": Permission("participant", "collect"),
    "scan": Permission("participant", "read"),
}


class OfflineSync:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    async def sync(self, request: contract.OfflineMutation, uow: UnitOfWork) -> contract.OfflineSyncResult:
        tenant_id = tenant()
        if _is_participant(request):
            require_grant(_PERMISSIONS[request.type])  # before the dedupe: a replay tells nothing to the unentitled
        client_ms = _bounded_timestamp(request.timestamp)
        if not await mutations.claim(uow.session, tenant_id, request.id, request.entity_id, request.type):
            return await _replayed(uow, request, tenant_id)
        result = await self._apply(uow, request, tenant_id, client_ms)
        await mutations.keep_result(uow.session, tenant_id, request.id, result.model_dump(mode="json"))
        return result

    async def _apply(
        self, uow: UnitOfWork, request: contract.OfflineMutation, tenant_id: str, client_ms: int
    ) -> contract.OfflineSyncResult:
        if not _is_participant(request):
            return contract.OfflineSyncResult(success=True, applied=False)  # other entities pass unchecked
        row = await progress.get(uow.session, request.entity_id, tenant_id, for_update=True)
        if row is None:  # another tenant's participant too, as on every other route
            raise NotFound(f"participant {request.entity_id} not found")
        # The participant changed when workflow moved it or registration edited it, whichever is later.
        if _epoch_ms(max(row.updated_at, row.source_updated_at)) >= client_ms:
            current = await self.engine.progress_of(uow, row)
            raise Conflict(
                "the server changed this participant after the offline mutation; the server wins",
                details={"conflict": True, "current": current.model_dump(mode="json")},
            )
        action = _ENGINE_ACTIONS.get(request.type)
        if action is None:
            return contract.OfflineSyncResult(success=True, applied=True)  # collect and scan change no field
        remarks = request.payload.get("remarks") if isinstance(request.payload.get("remarks"), str) else None
        result = await self.engine.act(
            uow,
            row.id,
            action,
            Acting(
                actor_id=actor(),
                remarks=remarks,
                metadata={"offline": True, "mutationId": request.id, "clientTimestamp": request.timestamp},
            ),
        )
        return contract.OfflineSyncResult(success=True, applied=True, result=result)


async def _replayed(uow: UnitOfWork, request: contract.OfflineMutation, tenant_id: str) -> contract.OfflineSyncResult:
    """The stored result of the mutation synced before under this id, when it is the same mutation."""
    stored = await mutations.get(uow.session, tenant_id, request.id)
    if (stored.participant_id, stored.type) != (request.entity_id, request.type):
        raise Conflict(
            f"mutation id {request.id} was already used for another mutation; give each mutation its own id",
            details={"mutationId": request.id},
        )
    previous = contract.OfflineSyncResult.model_validate(stored.result or {"success": True, "applied": False})
    return previous.model_copy(update={"duplicate": True})


def _bounded_timestamp(timestamp: int) -> int:
    """The client's timestamp, no later than the server's now; 422 when it leads by more than the skew allowed."""
    now_ms = _epoch_ms(utcnow())
    if timestamp > now_ms + MAX_CLOCK_LEAD.total_seconds() * 1000:
        refuse(
            "the mutation's timestamp is ahead of the server's clock",
            [field_error(("body", "timestamp"), f"is more than {MAX_CLOCK_LEAD} ahead of the server's clock")],
        )
    return min(timestamp, now_ms)


def _is_participant(request: contract.OfflineMutation) -> bool:
    return request.entity_type.lower() == "participant"


def _epoch_ms(value: Any) -> int:
    return int(value.timestamp() * 1000)
