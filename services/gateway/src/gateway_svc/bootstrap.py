"""gateway's composition root."""

from pathlib import Path

from plenary_kit.service import Runtime, ServiceSpec

from .adapters.tables import messaging, metadata
from .entrypoints.http import create_app


def wire(runtime: Runtime) -> None:
    from .composition import gateway_for
    from .entrypoints import background

    gateway = gateway_for(runtime)

    async def run_beside_requests() -> None:
        assert runtime.nc is not None
        await background.run(gateway, runtime.nc)

    # The runtime has no start/stop hooks: a timer job that never returns starts with it and is
    # cancelled by its stop, which is when the last usage counts go out.
    runtime.every(0.0, run_beside_requests)


SERVICE = ServiceSpec(
    name="gateway",
    metadata=metadata,
    messaging=messaging,
    migrations_dir=Path(__file__).resolve().parents[2] / "migrations",
    wire=wire,
    public_app=create_app,
)
