"""custom-objects's composition root."""

from pathlib import Path

from plenary_kit.service import Runtime, ServiceSpec

from .adapters.tables import messaging, metadata
from .entrypoints import operations, saga_parts, tenants


def wire(runtime: Runtime) -> None:
    operations.register(runtime)
    tenants.register(runtime)
    saga_parts.register(runtime)


SERVICE = ServiceSpec(
    name="custom-objects",
    metadata=metadata,
    messaging=messaging,
    migrations_dir=Path(__file__).resolve().parents[2] / "migrations",
    wire=wire,
)
