"""analytics: metric snapshots (recorded by hand or by the hourly job), their query and deletion."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from ...fields import Id
from ...model import Model
from ._common import _READ_ERRORS, _VIEWING, _WRITE_ERRORS, TAG, _cmd, _event, _qry, _route

Metric = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Period = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]


class Snapshot(Model):
    id: str
    tenant_id: str
    event_id: str | None = None
    metric: str
    value: float
    dimensions: dict[str, Any]
    period: str
    timestamp: datetime


class RecordSnapshot(Model):
    event_id: Id | None = None
    metric: Metric
    value: float
    dimensions: dict[str, Any] = Field(default_factory=dict)
    period: Period = "daily"
    timestamp: datetime | None = Field(None, description="Now when left out.")


class QuerySnapshots(Model):
    """Oldest first; `from` and `to` both included."""

    metric: Metric
    event_id: Id | None = None
    period: Period | None = None
    date_from: datetime | None = Field(None, alias="from")
    date_to: datetime | None = Field(None, alias="to")
    limit: int = Field(1000, ge=1, le=10000)


class Snapshots(Model):
    data: list[Snapshot]


class DeleteSnapshots(Model):
    metric: Metric | None = Field(None, description="Every metric's snapshots when left out.")


class DeletedSnapshots(Model):
    count: int


class SnapshotCaptured(Model):
    """The hourly job wrote a tenant's snapshots for the hour."""

    hour: datetime
    count: int


SNAPSHOT_CAPTURED = _event("snapshot", "captured", SnapshotCaptured, "The hourly job recorded a tenant's figures.")

RECORD_SNAPSHOT = _cmd(
    "record_snapshot", RecordSnapshot, Snapshot, "Record one metric value.",
    errors=_WRITE_ERRORS, **_VIEWING, http=_route("POST", "/analytics/snapshots", "Record a snapshot", TAG, 201),
)  # fmt: skip
QUERY_SNAPSHOTS = _qry(
    "query_snapshots", QuerySnapshots, Snapshots, "A metric's snapshots in a time range, oldest first.",
    errors=_READ_ERRORS, **_VIEWING, http=_route("GET", "/analytics/snapshots", "Query snapshots", TAG),
)  # fmt: skip
DELETE_SNAPSHOTS = _cmd(
    "delete_snapshots", DeleteSnapshots, DeletedSnapshots, "Delete a metric's snapshots (or all); returns how many.",
    errors=_WRITE_ERRORS, **_VIEWING, http=_route("DELETE", "/analytics/snapshots", "Delete snapshots", TAG),
)  # fmt: skip
