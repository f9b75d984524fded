"""Snapshots by hand (record, query, delete) and by the clock: an hourly run of each tenant's figures, and the
prune of snapshots older than 90 days. One replica takes an hour's run: the one that claims its row."""

from collections.abc import Callable
from datetime import timedelta

from plenary_contracts.catalog import analytics as contract
from plenary_contracts.catalog.identity import SYSTEM_USER_ID
from plenary_contracts.errors import NotFound
from plenary_kit.acting import tenant, utcnow
from plenary_kit.context import acting
from plenary_kit.db import UnitOfWork
from plenary_kit.ids import new_id
from plenary_kit.logging import get_logger

from ..adapters import figures_repository as figures
from ..adapters import snapshot_repository as snapshots
from ..adapters.figures_repository import Scope
from ..domain.projection import hour_of

log = get_logger(__name__)
KEEP = timedelta(days=90)
HOURLY_METRICS = (
    ("participants", None),
    ("pending_approvals", "PENDING"),
    ("approved", "APPROVED"),
    ("rejected", "REJECTED"),
)


async def record_snapshot(request: contract.RecordSnapshot, uow: UnitOfWork) -> contract.Snapshot:
    tenant_id = tenant()
    if request.event_id is not None and not await figures.event_exists(uow.session, tenant_id, request.event_id):
        raise NotFound("no such event")
    (snapshot,) = await snapshots.add(
        uow.session,
        [
            {
                "id": new_id(),
                "tenant_id": tenant_id,
                "event_id": request.event_id,
                "metric": request.metric,
                "value": request.value,
                "dimensions": request.dimensions,
                "period": request.period,
                "timestamp": request.timestamp or utcnow(),
            }
        ],
    )
    return snapshot


async def query_snapshots(request: contract.QuerySnapshots, uow: UnitOfWork) -> contract.Snapshots:
    return contract.Snapshots(data=await snapshots.query(uow.session, tenant(), request))


async def delete_snapshots(request: contract.DeleteSnapshots, uow: UnitOfWork) -> contract.DeletedSnapshots:
    return contract.DeletedSnapshots(count=await snapshots.delete(uow.session, tenant(), request.metric))


class SnapshotJob:
    def __init__(self, new_uow: Callable[[], UnitOfWork]) -> None:
        self.new_uow = new_uow

    async def run(self) -> None:
        await self.take()

    async def take(self) -> bool:
        """Take this hour's snapshots and prune the old ones, unless another replica claimed the hour."""
        now = utcnow()
        hour = hour_of(now)
        async with self.new_uow() as uow:
            if not await snapshots.claim_run(uow.session, hour):
                return False
            pruned = await snapshots.prune(uow.session, now - KEEP)
            for tenant_id in await figures.tenants_with_participants(uow.session):
                with acting(tenant_id=tenant_id, actor_id=SYSTEM_USER_ID):
                    rows = await _tenant_rows(uow, tenant_id, hour)
                    await snapshots.add(uow.session, rows)
                    uow.publish(contract.SNAPSHOT_CAPTURED, contract.SnapshotCaptured(hour=hour, count=len(rows)))
            await uow.commit()
        log.info("hourly snapshots taken", hour=hour.isoformat(), pruned=pruned)
        return True


async def _tenant_rows(uow: UnitOfWork, tenant_id: str, hour: object) -> list[dict[str, object]]:
    """The tenant's figures, tenant-wide and per live event."""
    rows: list[dict[str, object]] = []
    scopes = [None] + [event_id for event_id, _, _ in await figures.by_event(uow.session, tenant_id)]
    for event_id in scopes:
        by_status, _ = await figures.by_status(uow.session, Scope(tenant_id, event_id))
        for metric, status in HOURLY_METRICS:
            value = sum(by_status.values()) if status is None else by_status.get(status, 0)
            rows.append(
                {
                    "id": new_id(),
                    "tenant_id": tenant_id,
                    "event_id": event_id,
                    "metric": metric,
                    "value": float(value),
                    "dimensions": {},
                    "period": "hourly",
                    "timestamp": hour,
                }
            )
    return rows
