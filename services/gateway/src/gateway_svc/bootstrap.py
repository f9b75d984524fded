"""gateway's composition root."""

from pathlib import Path

from plenary_kit.service import ServiceSpec

from .adapters.tables import messaging, metadata
from .entrypoints.http import create_app

SERVICE = ServiceSpec(
    name="gateway",
    metadata=metadata,
    messaging=messaging,
    migrations_dir=Path(__file__).resolve().parents[2] / "migrations",
    public_app=create_app,
)
