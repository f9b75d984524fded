"""views's composition root: one client of the lists' owners, shared by the saved views (which check a view's
fields) and the runner (which runs views and moves kanban cards)."""

from pathlib import Path

from plenary_kit.service import Runtime, ServiceSpec

from .adapters.entity_client import EntityClient
from .adapters.tables import messaging, metadata
from .application.running import ViewRunner
from .application.saved_views import SavedViews
from .entrypoints import consumers, saga_parts, saved_views


def wire(runtime: Runtime) -> None:
    entities = EntityClient(runtime)
    saved_views.register(runtime, SavedViews(entities), ViewRunner(entities))
    consumers.register(runtime)
    saga_parts.register(runtime)


SERVICE = ServiceSpec(
    name="views",
    metadata=metadata,
    messaging=messaging,
    migrations_dir=Path(__file__).resolve().parents[2] / "migrations",
    wire=wire,
)
