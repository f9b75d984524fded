"""checkin: head counts per zone of an event's venue (zone none = the venue), moved by admitted scans."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from ...feeds import FeedEvent, FeedSpec
from ...fields import Id
from ...flags import FlagKey
from ...model import Model
from ._common import _MANAGING, _NOT_FOUND, _SCAN, _SCANNING, _WRITE_ERRORS, _cmd, _event, _qry, _route
from .checkpoints import ZoneId


class ZoneOccupancy(Model):
    event_id: str
    zone_id: str | None = None
    current_count: int
    max_capacity: int
    band: Literal["green", "amber", "red"] | None = Field(
        None, description="Under 75 % green, 75-90 % amber, over 90 % red; capacity never refuses entry."
    )
    last_updated: datetime


class Occupancy(Model):
    event_id: str
    zones: list[ZoneOccupancy]


class ZoneCapacity(Model):
    zone_id: ZoneId | None = None
    max_capacity: Annotated[int, Field(gt=0)]


class InitializeOccupancy(Model):
    """Creates or re-sizes each zone's row; counts already kept stay."""

    event_id: Id
    zones: list[ZoneCapacity] = Field(min_length=1, max_length=200)


class OccupancyRef(Model):
    event_id: Id


class OccupancyChanged(Model):
    zone: ZoneOccupancy


# --- domain events -------------------------------------------------------------------------------

OCCUPANCY_CHANGED = _event("occupancy", "changed", OccupancyChanged, "A zone's head count moved.")

# --- operations ----------------------------------------------------------------------------------

INITIALIZE_OCCUPANCY = _cmd(
    "initialize_occupancy", InitializeOccupancy, Occupancy, "Declare an event's zones and their capacity.",
    errors=_WRITE_ERRORS, **_MANAGING,
    http=_route("PUT", "/events/{eventId}/occupancy", "Declare zones and capacities", "check-in"),
)  # fmt: skip
GET_OCCUPANCY = _qry(
    "get_occupancy", OccupancyRef, Occupancy, "An event's head counts with their colour bands.",
    errors=_NOT_FOUND, **_SCANNING, http=_route("GET", "/events/{eventId}/occupancy", "Live occupancy", "check-in"),
)  # fmt: skip
REBUILD_OCCUPANCY = _cmd(
    "rebuild_occupancy", OccupancyRef, Occupancy, "Recount every zone from the access log, replayed in order.",
    errors=_NOT_FOUND, **_MANAGING, timeout_seconds=60.0,
    http=_route("POST", "/events/{eventId}/occupancy/rebuild", "Rebuild occupancy", "check-in"),
)  # fmt: skip

# --- live feed ------------------------------------------------------------------------------------

OCCUPANCY_FEED = FeedSpec(
    name="occupancy",
    path="/events/{eventId}/occupancy/stream",
    events=(
        FeedEvent(
            OCCUPANCY_CHANGED,
            name="occupancy:updated",
            data=("zone",),
            scope={"eventId": ("zone", "eventId")},
        ),
    ),
    permission=_SCAN,
    flag=FlagKey.SSE_UPDATES,
    summary="Live occupancy (Server-Sent Events)",
    tag="check-in",
    description="Each change of a zone's head count at this event, as it happens: an `occupancy:updated` "
    "event whose data is the zone (`eventId`, `zoneId`, `currentCount`, `maxCapacity`, `band`, `lastUpdated`).",
)
