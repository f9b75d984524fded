"""workflow: replaying mutations an offline client made."""

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from ...errors import ErrorCode
from ...fields import Id
from ...flags import FlagKey
from ...model import Model
from ...permissions import Permission
from ._common import _cmd, _route
from .engine import ActionResult

OfflineMutationType = Literal["approve", "reject", "bypass", "print", "collect", "scan"]


class OfflineMutation(Model):
    """One queued client mutation; ``id`` is the client's mutation id (a nonce) and deduplicates it."""

    id: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    type: OfflineMutationType
    entity_type: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    entity_id: Id
    payload: dict[str, Any] = Field(default_factory=dict)
    timestamp: Annotated[int, Field(ge=0, description="When the client made the change, epoch milliseconds.")]


class OfflineSyncResult(Model):
    success: bool
    applied: bool
    duplicate: bool = Field(False, description="This mutation id was synced before; nothing was done again.")
    result: ActionResult | None = None


# --- operations ----------------------------------------------------------------------------------

SYNC_OFFLINE_MUTATION = _cmd(
    "sync_offline_mutation", OfflineMutation, OfflineSyncResult,
    "Replay one offline client mutation through the engine; the server wins ties (409 with the current state). "
    "A mutation id reused for another participant or action is a 409; a timestamp more than 2 minutes ahead "
    "of the server's clock is a 422.",
    errors=(
        ErrorCode.NOT_FOUND, ErrorCode.CONFLICT, ErrorCode.FORBIDDEN, ErrorCode.BAD_REQUEST, ErrorCode.VALIDATION_ERROR,
    ),
    permission=Permission("participant", "update"), flag=FlagKey.OFFLINE_MODE,
    http=_route("POST", "/offline-sync", "Sync an offline mutation", "offline"),
)  # fmt: skip
