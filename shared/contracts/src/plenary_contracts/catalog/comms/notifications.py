"""comms: in-app notifications, each for one user: a reviewer assigned, an SLA close or passed, a waitlist
offer, an in-app broadcast. A user reads and marks only their own."""

from datetime import datetime
from typing import Any

from pydantic import Field

from ...feeds import FeedEvent, FeedSpec
from ...fields import Id
from ...flags import FlagKey
from ...listing import ListQuery, Page
from ...model import Model
from ...personal import Personal
from ._common import _MINE, _NOT_FOUND, TAG, _cmd, _event, _qry, _route


class Notification(Model):
    id: str
    user_id: str
    type: str = Field(description="step_assignment, sla_warning, waitlist:promoted, broadcast, ...")
    title: str
    message: str
    data: dict[str, Any] | None = None
    read: bool
    read_at: datetime | None = None
    created_at: datetime


class ListNotifications(ListQuery):
    unread: bool | None = Field(None, description="true: only unread ones; false: only read ones.")


class NotificationPage(Page[Notification]):
    pass


class NoRequest(Model):
    pass


class UnreadCount(Model):
    count: int


class NotificationRef(Model):
    id: Id


class MarkedRead(Model):
    updated: int


class NotificationCreated(Model):
    notification: Notification


# --- domain events -------------------------------------------------------------------------------

NOTIFICATION_CREATED = _event(
    "notification",
    "created",
    NotificationCreated,
    "A user got an in-app notification.",
    personal=Personal("notification.data.participantId", ("notification.title", "notification.message")),
)

# --- operations ----------------------------------------------------------------------------------

LIST_NOTIFICATIONS = _qry(
    "list_notifications", ListNotifications, NotificationPage, "The caller's notifications.",
    **_MINE, http=_route("GET", "/me/notifications", "My notifications", TAG),
)  # fmt: skip
COUNT_UNREAD = _qry(
    "count_unread", NoRequest, UnreadCount, "How many of the caller's notifications are unread.",
    **_MINE, http=_route("GET", "/me/notifications/unread-count", "My unread count", TAG),
)  # fmt: skip
MARK_READ = _cmd(
    "mark_read", NotificationRef, Notification, "Mark one of the caller's notifications read.",
    errors=_NOT_FOUND, **_MINE, http=_route("POST", "/me/notifications/{id}/read", "Mark read", TAG),
)  # fmt: skip
MARK_ALL_READ = _cmd(
    "mark_all_read", NoRequest, MarkedRead, "Mark every unread notification of the caller read.",
    **_MINE, http=_route("POST", "/me/notifications/read-all", "Mark all read", TAG),
)  # fmt: skip

# --- live feed ------------------------------------------------------------------------------------

NOTIFICATION_FEED = FeedSpec(
    name="my-notifications",
    path="/me/notifications/stream",
    events=(
        FeedEvent(
            NOTIFICATION_CREATED,
            name="notification:created",
            data=("notification",),
            recipient=("notification", "userId"),
        ),
    ),
    permission=None,
    flag=FlagKey.NOTIFICATIONS,
    summary="My notifications, live (Server-Sent Events)",
    tag=TAG,
    description="The signed-in user's own in-app notifications as they are created: a `notification:created` "
    "event whose data is the notification, as `GET /me/notifications` lists it.",
)
