"""Live feeds are declared once, checked when declared, and never shadow an operation's route."""

import re

import pytest

from plenary_contracts.catalog.checkin import OCCUPANCY_FEED
from plenary_contracts.catalog.checkin.occupancy import OCCUPANCY_CHANGED, OccupancyChanged
from plenary_contracts.catalog.comms import BROADCAST_PROGRESS, NOTIFICATION_CREATED, NOTIFICATION_FEED
from plenary_contracts.catalog.events import EVENT_CREATED
from plenary_contracts.feeds import CLOSED_EVENT, FeedEvent, FeedSpec, field_at
from plenary_contracts.flags import FlagKey
from plenary_contracts.permissions import ALL_PERMISSIONS, Permission
from plenary_contracts.registry import FEEDS, OPERATIONS

SCAN = Permission("check-in", "scan")


def _template(path: str) -> str:
    return re.sub(r"{\w+}", "{}", path)


def test_the_occupancy_feed_reads_checkin_s_stream_in_both_lanes_and_sends_the_zone():
    assert OCCUPANCY_FEED.path == "/events/{eventId}/occupancy/stream"
    assert OCCUPANCY_FEED.path_params == ["eventId"]
    assert OCCUPANCY_FEED.stream == "EVT_CHECKIN"
    assert OCCUPANCY_FEED.subjects == ["evt.checkin.occupancy.changed", "bulk.evt.checkin.occupancy.changed"]
    (carried,) = OCCUPANCY_FEED.events
    assert (carried.name, carried.data, dict(carried.scope)) == (
        "occupancy:updated",
        ("zone",),
        {"eventId": ("zone", "eventId")},
    )
    assert carried.data_model.__name__ == "ZoneOccupancy"
    assert OCCUPANCY_FEED.carried(OCCUPANCY_CHANGED.type) is carried
    assert OCCUPANCY_FEED.carried("plenary.checkin.occupancy.changed.v2") is None
    assert (OCCUPANCY_FEED.permission, OCCUPANCY_FEED.flag) == (SCAN, FlagKey.SSE_UPDATES)


def test_every_feed_s_permission_exists_and_no_feed_path_shadows_an_operation():
    assert all(feed.permission in ALL_PERMISSIONS for feed in FEEDS if not feed.personal)
    routed = {_template(op.http.path) for op in OPERATIONS if op.http is not None and op.http.method == "GET"}
    assert not {_template(feed.path) for feed in FEEDS} & routed
    assert len({feed.name for feed in FEEDS}) == len(FEEDS)


def test_a_path_into_a_payload_follows_wire_names():
    assert field_at(OccupancyChanged, ("zone", "eventId")) is str
    assert field_at(OccupancyChanged, ("zone", "zoneId")) is str  # optional, unwrapped
    with pytest.raises(KeyError):
        field_at(OccupancyChanged, ("zone", "event_id"))  # the Python name is not the wire's
    with pytest.raises(KeyError):
        field_at(OccupancyChanged, ("zone", "eventId", "deeper"))


def test_a_feed_event_must_lead_to_a_model_and_to_text_for_each_scope():
    with pytest.raises(ValueError, match="not a model"):
        FeedEvent(OCCUPANCY_CHANGED, name="x", data=("zone", "eventId"))
    with pytest.raises(ValueError, match="not a text field"):
        FeedEvent(OCCUPANCY_CHANGED, name="x", data=("zone",), scope={"eventId": ("zone", "currentCount")})
    with pytest.raises(KeyError):
        FeedEvent(OCCUPANCY_CHANGED, name="x", data=("nowhere",))
    for name in ("", "Occupancy", "a b", "a\nb", CLOSED_EVENT):
        with pytest.raises(ValueError, match="SSE event name"):
            FeedEvent(OCCUPANCY_CHANGED, name=name, data=("zone",))


def _feed(*events: FeedEvent, path: str = "/events/{eventId}/x/stream") -> FeedSpec:
    return FeedSpec("x", path, events, SCAN, "d", "s", "t")


def test_a_feed_reads_one_stream_and_every_event_locates_every_path_parameter():
    zone = FeedEvent(OCCUPANCY_CHANGED, name="zone", data=("zone",), scope={"eventId": ("zone", "eventId")})
    assert _feed(zone).path_params == ["eventId"]
    with pytest.raises(ValueError, match="every path parameter"):
        _feed(FeedEvent(OCCUPANCY_CHANGED, name="zone", data=("zone",)))
    with pytest.raises(ValueError, match="every path parameter"):
        _feed(zone, path="/events/{eventId}/zones/{zoneId}/stream")
    elsewhere = FeedEvent(EVENT_CREATED, name="created", data=("event",), scope={"eventId": ("event", "id")})
    with pytest.raises(ValueError, match="one producer"):
        _feed(zone, elsewhere)
    with pytest.raises(ValueError, match="share an SSE name"):
        _feed(zone, FeedEvent(OCCUPANCY_CHANGED, name="zone", data=(), scope={"eventId": ("zone", "eventId")}))
    with pytest.raises(ValueError, match="at least one"):
        _feed()


def test_a_personal_feed_names_each_message_s_recipient_and_needs_no_permission():
    assert NOTIFICATION_FEED.personal and NOTIFICATION_FEED.permission is None
    assert NOTIFICATION_FEED.path_params == []
    (carried,) = NOTIFICATION_FEED.events
    assert carried.recipient == ("notification", "userId")
    assert not OCCUPANCY_FEED.personal


def test_a_feed_is_personal_throughout_or_not_at_all_and_only_a_personal_one_goes_without_permission():
    mine = FeedEvent(NOTIFICATION_CREATED, name="mine", data=("notification",), recipient=("notification", "userId"))
    anyone = FeedEvent(NOTIFICATION_CREATED, name="anyone", data=("notification",))
    with pytest.raises(ValueError, match="not a text field"):
        FeedEvent(NOTIFICATION_CREATED, name="x", data=("notification",), recipient=("notification", "read"))
    progress = FeedEvent(BROADCAST_PROGRESS, name="progress")
    with pytest.raises(ValueError, match="every event names its recipient"):
        FeedSpec("x", "/me/x/stream", (mine, progress), None, "d", "s", "t")
    with pytest.raises(ValueError, match="only a personal feed"):
        FeedSpec("x", "/me/x/stream", (anyone,), None, "d", "s", "t")
    assert FeedSpec("x", "/me/x/stream", (mine,), None, "d", "s", "t").personal
