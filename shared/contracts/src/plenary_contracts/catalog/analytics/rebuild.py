"""analytics: rebuilding every projection by replaying the producers' streams from their start."""

from datetime import datetime
from typing import Literal

from pydantic import Field

from ...errors import ErrorCode
from ...fields import Id
from ...model import Model
from ._common import TAG, _cmd, _qry, _route


class StreamProgress(Model):
    stream: str
    replayed: int
    end: int = Field(description="The stream's last sequence when the replay reached it.")


class RebuildOperation(Model):
    id: str
    status: Literal["running", "succeeded", "failed"]
    generation: int
    events_replayed: int
    streams: list[StreamProgress]
    error: str | None = None
    started_at: datetime
    updated_at: datetime
    finished_at: datetime | None = None


class StartRebuild(Model):
    pass


class RebuildRef(Model):
    id: Id


START_REBUILD = _cmd(
    "start_rebuild", StartRebuild, RebuildOperation,
    "Replay every stream from its start into a fresh copy of the projections, then swap it in; "
    "GET the operation for its progress. One at a time.",
    errors=(ErrorCode.CONFLICT,), global_only=True,
    http=_route("POST", "/analytics/rebuilds", "Rebuild the projections", TAG, 202),
)  # fmt: skip
GET_REBUILD = _qry(
    "get_rebuild", RebuildRef, RebuildOperation, "A rebuild's progress.",
    errors=(ErrorCode.NOT_FOUND,), global_only=True,
    http=_route("GET", "/analytics/rebuilds/{id}", "A rebuild's progress", TAG),
)  # fmt: skip
