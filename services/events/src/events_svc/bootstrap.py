"""events's composition root: its use cases are functions, so wiring is registering each area's
operations and the consumers of other services' events."""

from pathlib import Path

from plenary_kit.service import Runtime, ServiceSpec

from .adapters.tables import messaging, metadata
from .entrypoints import conferences, event_rows, field_definitions, intake, participant_types, series


def wire(runtime: Runtime) -> None:
    conferences.register(runtime)
    participant_types.register(runtime)
    field_definitions.register(runtime)
    series.register(runtime)
    intake.register(runtime)
    event_rows.register(runtime)


SERVICE = ServiceSpec(
    name="events",
    metadata=metadata,
    messaging=messaging,
    migrations_dir=Path(__file__).resolve().parents[2] / "migrations",
    wire=wire,
)
