"""workflow's composition root."""

from pathlib import Path

from plenary_kit.service import Runtime, ServiceSpec

from .adapters.tables import messaging, metadata


def wire(runtime: Runtime) -> None:
    from .adapters.events_client import EventsClient
    from .adapters.identity_client import IdentityClient
    from .entrypoints import definitions, engine

    definitions.register(runtime, EventsClient(runtime), IdentityClient(runtime))
    engine.register(runtime)


SERVICE = ServiceSpec(
    name="workflow",
    metadata=metadata,
    messaging=messaging,
    migrations_dir=Path(__file__).resolve().parents[2] / "migrations",
    wire=wire,
)
