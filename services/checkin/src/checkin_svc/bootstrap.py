"""checkin's composition root: every application object is built here once and handed to the entrypoints
that serve it."""

from pathlib import Path

from nats.js import JetStreamContext

from plenary_kit.clients.events import EventsClient
from plenary_kit.service import Runtime, ServiceSpec

from .adapters.identity_client import IdentityClient
from .adapters.tables import messaging, metadata
from .application.access_log import AccessLogExports
from .application.badge_keys import BadgeKeys, badge_key_sealer
from .application.badges import Badges
from .application.checkpoints import Checkpoints
from .application.devices import Devices
from .application.kiosks import AtKiosk, Kiosks, KioskSweep
from .application.queue import Queue
from .application.scans import Scanning
from .entrypoints import access_log as access_log_entrypoints
from .entrypoints import badges as badge_entrypoints
from .entrypoints import checkpoints as checkpoint_entrypoints
from .entrypoints import devices as device_entrypoints
from .entrypoints import directory, saga_parts
from .entrypoints import kiosks as kiosk_entrypoints
from .entrypoints import occupancy as occupancy_entrypoints
from .entrypoints import queue as queue_entrypoints
from .entrypoints import scans as scan_entrypoints


def wire(runtime: Runtime) -> None:
    def jetstream() -> JetStreamContext:
        assert runtime.nc is not None, "the bus connection is made when the runtime starts"
        return runtime.nc.jetstream()

    identity = IdentityClient(runtime)  # devices and kiosks are paired through identity's API keys
    # --- read models (participants, events, tenant purge) ---
    directory.register(runtime)
    # --- checkpoints, badges, devices ---
    checkpoint_entrypoints.register(runtime, Checkpoints(EventsClient(runtime)))
    badge_keys = BadgeKeys(badge_key_sealer(runtime.base_settings.badge_key_secret))
    device_entrypoints.register(runtime, Devices(identity, badge_keys))
    badge_entrypoints.register(runtime, badge_keys, Badges(badge_keys, jetstream))
    access_log_entrypoints.register(runtime, AccessLogExports(jetstream))
    # --- scans, access log, occupancy ---
    scanning = Scanning()
    scan_entrypoints.register(runtime, scanning)
    occupancy_entrypoints.register(runtime)
    # --- kiosks and queue ---
    queue = Queue()
    queue_entrypoints.register(runtime, queue)
    kiosk_entrypoints.register(runtime, Kiosks(identity), AtKiosk(scanning, queue), KioskSweep(runtime.uow))
    # --- the clone and erasure sagas' parts ---
    saga_parts.register(runtime)


SERVICE = ServiceSpec(
    name="checkin",
    metadata=metadata,
    messaging=messaging,
    migrations_dir=Path(__file__).resolve().parents[2] / "migrations",
    wire=wire,
)
