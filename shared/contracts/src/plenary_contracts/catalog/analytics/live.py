"""analytics: the live signal of the dashboard. After each batch of the owners' events is counted, one event per
tenant says whose figures moved; the gateway's feed passes it to open dashboards, which read the figures again."""

from pydantic import Field

from ...feeds import FeedEvent, FeedSpec
from ...model import Model
from ._common import _VIEWING, TAG, _event


class FiguresChanged(Model):
    event_ids: list[str] = Field(description="The events whose figures moved (tenant-wide figures move with them).")


FIGURES_CHANGED = _event(
    "figures", "changed", FiguresChanged, "A batch of the owners' events moved a tenant's figures."
)

FIGURES_FEED = FeedSpec(
    name="analytics-figures",
    path="/analytics/stream",
    events=(FeedEvent(FIGURES_CHANGED, name="analytics:changed"),),
    summary="The dashboard's figures moved (Server-Sent Events)",
    tag=TAG,
    description="An `analytics:changed` event, whose data is the `eventIds` whose figures moved, each time a batch "
    "of registrations, decisions, scans or other facts has been counted: a dashboard reads the figures again.",
    **_VIEWING,
)
