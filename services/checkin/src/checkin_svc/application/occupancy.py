"""Head counts per zone of an event's venue: declared with their capacity, read with their colour band, and
rebuilt from the access log.

Capacity never refuses anyone: it only colours the count. A zone is counted from the moment it is declared
(a scan through a zone without a row moves nothing), and every change of a zone is published with the
zone's full state, so a dashboard keeps it from the events alone.
"""

from plenary_contracts.catalog import checkin as contract
from plenary_kit.acting import field_error, refuse, tenant
from plenary_kit.db import UnitOfWork

from ..adapters import occupancy_repository as occupancy
from ..adapters import scan_repository as scans
from ..adapters.occupancy_repository import Zone
from ..domain.occupancy import band, rebuild
from .directory import known_event


def zone_model(zone: Zone) -> contract.ZoneOccupancy:
    colour = band(zone.current_count, zone.max_capacity)
    return contract.ZoneOccupancy(
        event_id=zone.event_id,
        zone_id=zone.zone_id,
        current_count=zone.current_count,
        max_capacity=zone.max_capacity,
        band=None if colour is None else colour.value,
        last_updated=zone.last_updated,
    )


def publish_zone(uow: UnitOfWork, zone: Zone) -> None:
    uow.publish(contract.OCCUPANCY_CHANGED, contract.OccupancyChanged(zone=zone_model(zone)))


def _reply(event_id: str, zones: list[Zone]) -> contract.Occupancy:
    return contract.Occupancy(event_id=event_id, zones=[zone_model(z) for z in zones])


async def initialize(request: contract.InitializeOccupancy, uow: UnitOfWork) -> contract.Occupancy:
    """Declare zones and their capacity; a zone declared again keeps its count."""
    tenant_id = tenant()
    seen: set[str | None] = set()
    twice = []
    for index, zone in enumerate(request.zones):
        if zone.zone_id in seen:
            twice.append(field_error(["zones", index, "zoneId"], "this zone is already declared in this request"))
        seen.add(zone.zone_id)
    refuse("a zone is declared twice", twice)
    await known_event(uow, tenant_id, request.event_id)
    declared = await occupancy.declare(
        uow.session, tenant_id, request.event_id, [(z.zone_id, z.max_capacity) for z in request.zones]
    )
    for zone in declared:
        publish_zone(uow, zone)
    return _reply(request.event_id, await occupancy.zones(uow.session, tenant_id, request.event_id))


async def get(request: contract.OccupancyRef, uow: UnitOfWork) -> contract.Occupancy:
    tenant_id = tenant()
    await known_event(uow, tenant_id, request.event_id)
    return _reply(request.event_id, await occupancy.zones(uow.session, tenant_id, request.event_id))


async def rebuild_counts(request: contract.OccupancyRef, uow: UnitOfWork) -> contract.Occupancy:
    """Recount every declared zone by replaying the event's admitted scans in (scanned at, id) order, with the
    floor at zero applied as it goes, and set everyone's presence from their latest admitted scan.

    The zones are locked first, so the scans under way finish before the replay reads the log and the ones
    after wait for the new counts; uploads of the tenant wait too (they hold zones in any order)."""
    tenant_id = tenant()
    await known_event(uow, tenant_id, request.event_id)
    await scans.serialize(uow.session, tenant_id, [], upload=True)
    held = await occupancy.zones(uow.session, tenant_id, request.event_id, for_update=True)
    counts: dict[str | None, int] = {}
    async for passages in occupancy.admitted_passages(uow.session, tenant_id, request.event_id):
        counts = rebuild(passages, counts)
    changed = {z.zone_id: counts.get(z.zone_id, 0) for z in held if z.current_count != counts.get(z.zone_id, 0)}
    for zone in await occupancy.set_counts(uow.session, tenant_id, request.event_id, changed):
        publish_zone(uow, zone)
    await occupancy.rebuild_presence(uow.session, tenant_id, request.event_id)
    return _reply(request.event_id, await occupancy.zones(uow.session, tenant_id, request.event_id))
