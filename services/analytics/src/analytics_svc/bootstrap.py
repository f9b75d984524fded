"""analytics's composition root: every application object is built here once and handed to the entrypoints
that serve it."""

from pathlib import Path

from nats.aio.client import Client
from nats.js import JetStreamContext

from plenary_kit.service import Runtime, ServiceSpec

from .adapters.tables import messaging, metadata
from .application.figures import Figures
from .application.projector import Projector
from .application.rebuild import Rebuilds
from .application.snapshots import SnapshotJob
from .entrypoints import api, consumers, erasure


def wire(runtime: Runtime) -> None:
    def nats() -> Client:
        assert runtime.nc is not None, "the bus connection is made when the runtime starts"
        return runtime.nc

    def jetstream() -> JetStreamContext:
        return nats().jetstream()

    consumers.register(runtime, Projector())
    api.register(runtime, Figures(jetstream), Rebuilds(runtime.uow, nats))
    erasure.register(runtime)
    runtime.every(runtime.base_settings.analytics_snapshot_check_seconds, SnapshotJob(runtime.uow).run)


SERVICE = ServiceSpec(
    name="analytics",
    metadata=metadata,
    messaging=messaging,
    migrations_dir=Path(__file__).resolve().parents[2] / "migrations",
    wire=wire,
)
