"""checkin: handheld scanners paired to an event.

Pairing issues the device a key once: an API key of the tenant limited to scanning at this event, held by
identity as an HMAC (never in clear) and checked by the gateway like any key, so revoking the device stops it
everywhere within a second. A scan made with it is logged under the device.
"""

from datetime import datetime

from pydantic import Field

from ...fields import Id, Name
from ...listing import ListQuery, Page
from ...model import Model
from ._common import _MANAGING, _NOT_FOUND, _WRITE_ERRORS, _cmd, _event, _qry, _route


class Device(Model):
    id: str
    tenant_id: str
    event_id: str
    name: str
    api_key_id: str = Field(description="The identity API key the device authenticates with.")
    key_prefix: str = Field(description="The key's visible prefix, to tell devices apart.")
    paired_by: str | None = None
    last_seen_at: datetime | None = None
    revoked_at: datetime | None = None
    created_at: datetime


class PairDevice(Model):
    event_id: Id
    name: Name


class PairedDevice(Model):
    device: Device
    device_key: str = Field(description="Shown once: the device sends it as `X-API-Key`.")


class DeviceRef(Model):
    id: Id


class ListDevices(ListQuery):
    event_id: Id
    revoked: bool | None = None


class DevicePage(Page[Device]):
    pass


class DeviceChanged(Model):
    device: Device


# --- domain events -------------------------------------------------------------------------------

DEVICE_PAIRED = _event("device", "paired", DeviceChanged, "A scanner was paired to an event.")
DEVICE_REVOKED = _event("device", "revoked", DeviceChanged, "A scanner's key was revoked.")

# --- operations ----------------------------------------------------------------------------------

PAIR_DEVICE = _cmd(
    "pair_device", PairDevice, PairedDevice, "Pair a scanner: its key is returned once.",
    errors=_WRITE_ERRORS, **_MANAGING, shown_once=("deviceKey",),
    http=_route("POST", "/events/{eventId}/devices", "Pair a scanner", "check-in", 201),
)  # fmt: skip
LIST_DEVICES = _qry(
    "list_devices", ListDevices, DevicePage, "An event's scanners.",
    errors=_NOT_FOUND, **_MANAGING, http=_route("GET", "/events/{eventId}/devices", "List scanners", "check-in"),
)  # fmt: skip
REVOKE_DEVICE = _cmd(
    "revoke_device", DeviceRef, Device, "Revoke a scanner's key; it stops working within a second.",
    errors=_NOT_FOUND, **_MANAGING, http=_route("DELETE", "/devices/{id}", "Revoke a scanner", "check-in"),
)  # fmt: skip
