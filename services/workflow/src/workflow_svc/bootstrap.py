"""workflow's composition root."""

from pathlib import Path

from plenary_kit.service import Runtime, ServiceSpec

from .adapters.tables import messaging, metadata


def wire(runtime: Runtime) -> None:
    from .entrypoints import definitions, engine

    definitions.register(runtime)
    engine.register(runtime)


SERVICE = ServiceSpec(
    name="workflow",
    metadata=metadata,
    messaging=messaging,
    migrations_dir=Path(__file__).resolve().parents[2] / "migrations",
    wire=wire,
)
