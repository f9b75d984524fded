"""gateway's composition root."""

from pathlib import Path

from plenary_kit.service import Runtime, ServiceSpec

from .adapters.tables import messaging, metadata
from .composition import build, build_feeds
from .entrypoints import background
from .entrypoints.http import create_app


def wire(runtime: Runtime) -> None:
    gateway = build(runtime)
    feeds = build_feeds(runtime, gateway)
    background.register(gateway, runtime)
    runtime.public_app = create_app(gateway, runtime, feeds)
    runtime.on_drain(feeds.drain)  # open event streams end before the HTTP server waits for its responses

    async def mirror_revocations() -> None:
        assert runtime.nc is not None
        gateway.revocations.start(runtime.nc)

    runtime.on_start(mirror_revocations)
    runtime.on_stop(gateway.revocations.stop)


SERVICE = ServiceSpec(
    name="gateway",
    metadata=metadata,
    messaging=messaging,
    migrations_dir=Path(__file__).resolve().parents[2] / "migrations",
    wire=wire,
)
