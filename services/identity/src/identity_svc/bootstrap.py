"""identity's composition root."""

from pathlib import Path

from plenary_kit.service import Runtime, ServiceSpec

from .adapters.tables import messaging, metadata


def wire(runtime: Runtime) -> None:
    from .entrypoints import handlers

    handlers.register(runtime)


async def seed(service_settings):  # type: ignore[no-untyped-def]
    from .application.seed import seed_identity

    return await seed_identity(service_settings)


SERVICE = ServiceSpec(
    name="identity",
    metadata=metadata,
    messaging=messaging,
    migrations_dir=Path(__file__).resolve().parents[2] / "migrations",
    wire=wire,
    seed=seed,
)
