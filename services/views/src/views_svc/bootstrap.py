"""views's composition root."""

from pathlib import Path

from plenary_kit.service import ServiceSpec

from .adapters.tables import messaging, metadata

SERVICE = ServiceSpec(
    name="views",
    metadata=metadata,
    messaging=messaging,
    migrations_dir=Path(__file__).resolve().parents[2] / "migrations",
)
