"""workflow's composition root: each use case is built once here and handed to the entrypoints that
serve it."""

from pathlib import Path

from plenary_kit.clients.events import EventsClient
from plenary_kit.service import Runtime, ServiceSpec

from .adapters.identity_client import IdentityClient
from .adapters.tables import messaging, metadata
from .application.actions import Engine
from .application.assignments import Assignments
from .application.batch import Batches
from .application.intake import Intake
from .application.offline import OfflineSync
from .application.parallel import Parallel
from .application.progress_rows import ProgressRows
from .application.queries import Queries
from .application.sla import SlaTimers
from .application.versions import Versions
from .application.workflows import Workflows
from .entrypoints import consumers, definitions, participants, progress_rows, saga_parts, timers


def wire(runtime: Runtime) -> None:
    flag_on = runtime.flags.on
    events = EventsClient(runtime)
    engine = Engine(flag_on)
    parallel = Parallel(engine)

    definitions.register(
        runtime,
        definitions=Workflows(events),
        versions=Versions(flag_on, events),
        reviewers=Assignments(IdentityClient(runtime)),
    )
    participants.register(
        runtime,
        engine=engine,
        parallel=parallel,
        queries=Queries(engine),
        batches=Batches(engine, runtime.uow),
        offline=OfflineSync(engine),
    )
    progress_rows.register(runtime, ProgressRows(events))
    consumers.register(runtime, engine=engine, entries=Intake(engine))
    timers.register(runtime, sla=SlaTimers(engine), parallel=parallel)
    saga_parts.register(runtime)


SERVICE = ServiceSpec(
    name="workflow",
    metadata=metadata,
    messaging=messaging,
    migrations_dir=Path(__file__).resolve().parents[2] / "migrations",
    wire=wire,
)
