"""events's composition root: its use cases are functions, so wiring is registering each area's
operations and the consumers of other services' events."""

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from plenary_kit.service import Runtime, ServiceSpec

from .adapters.parts_client import PartsClient
from .adapters.tables import messaging, metadata
from .application.clone_saga import CloneSaga, SagaSettings
from .entrypoints import cloning, conferences, event_rows, field_definitions, intake, participant_types, series


class CloneSettings(BaseSettings):
    """The clone saga's timings (``PLENARY_EVENTS_CLONE_*``): how long a part that does not answer is asked
    again before the clone is rolled back, a driver's lease (how soon another process takes over the sagas of
    one that died), and how often each process looks for such sagas."""

    model_config = SettingsConfigDict(env_prefix="PLENARY_EVENTS_CLONE_", extra="ignore")

    retry_seconds: float = 60.0
    lease_seconds: float = 30.0
    sweep_seconds: float = 5.0

    def saga(self) -> SagaSettings:
        return SagaSettings(self.retry_seconds, self.lease_seconds, self.sweep_seconds)


def wire(runtime: Runtime) -> None:
    driver = CloneSaga(runtime.uow, PartsClient(runtime), CloneSettings().saga())
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
