"""events's composition root."""

from pathlib import Path

from plenary_kit.service import Runtime, ServiceSpec

from .adapters.tables import messaging, metadata


def wire(runtime: Runtime) -> None:
    from .entrypoints import handlers

    handlers.register(runtime)


SERVICE = ServiceSpec(
    name="events",
    metadata=metadata,
    messaging=messaging,
    migrations_dir=Path(__file__).resolve().parents[2] / "migrations",
    wire=wire,
)
