"""gateway's composition root."""

from pathlib import Path

from plenary_kit.service import Runtime, ServiceSpec

from .adapters.tables import messaging, metadata
from .entrypoints.http import create_app


def wire(runtime: Runtime) -> None:
    from .composition import gateway_for
    from .entrypoints import background

    background.register(gateway_for(runtime), runtime)


SERVICE = ServiceSpec(
    name="gateway",
    metadata=metadata,
    messaging=messaging,
    migrations_dir=Path(__file__).resolve().parents[2] / "migrations",
    wire=wire,
    public_app=create_app,
)
