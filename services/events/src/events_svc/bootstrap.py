"""events's composition root: its use cases are functions, so wiring is registering each area's
operations and the consumers of other services' events."""

from pathlib import Path

from plenary_kit.service import Runtime, ServiceSpec

from .adapters.parts_client import PartsClient
from .adapters.tables import messaging, metadata
from .application.clone_saga import CloneSaga, SagaSettings
from .entrypoints import cloning, conferences, event_rows, field_definitions, intake, participant_types, series


def wire(runtime: Runtime) -> None:
    settings = runtime.base_settings
    timings = SagaSettings(
        settings.events_clone_retry_seconds, settings.events_clone_lease_seconds, settings.events_clone_sweep_seconds
    )
    driver = CloneSaga(runtime.uow, PartsClient(runtime), timings)
    cloning.register(runtime, driver)
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
