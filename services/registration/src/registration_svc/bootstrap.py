"""registration's composition root: every application object is built here once and handed to the
entrypoints that serve it."""

from pathlib import Path

from nats.js import JetStreamContext

from plenary_contracts.flags import FlagContext, FlagKey
from plenary_kit.service import Runtime, ServiceSpec

from .adapters.erasure_parts import ErasureParts
from .adapters.events_client import EventsClient
from .adapters.tables import messaging, metadata
from .application.directory import EventDirectory
from .application.erasure import Erasures, ErasureTuning
from .application.exports import Exports
from .application.import_runner import ImportRunner
from .application.imports import Imports
from .application.participant_rows import ParticipantRows
from .application.reference_cache import ReferenceCache
from .application.registrar import Registrar
from .application.roster import Roster
from .application.waitlist import Offers, Waitlist
from .entrypoints import (
    bulk,
    erasure,
    mirrors,
    participant_rows,
    participants,
    reference_changes,
    screening,
    waitlist,
)


def offers_of(runtime: Runtime) -> Offers:
    """The waitlist's offers, as each replica builds them. Whether FF_WAITLIST is on is asked for the
    tenant alone: offering a freed place is the tenant's work, not the caller's (a timer has none), so
    the same place is offered whoever cancelled, declined or let an offer expire."""

    def waitlist_on(tenant_id: str) -> bool:
        return runtime.flags.is_enabled(FlagKey.WAITLIST, FlagContext(tenant_id=tenant_id))

    return Offers(waitlist_on, runtime.uow)


def wire(runtime: Runtime, erasure_tuning: ErasureTuning = ErasureTuning()) -> None:
    def jetstream() -> JetStreamContext:
        assert runtime.nc is not None, "the bus connection is made when the runtime starts"
        return runtime.nc.jetstream()

    cache = ReferenceCache()
    directory = EventDirectory(EventsClient(runtime).fetch_schema, cache)
    registrar = Registrar(directory, runtime.uow)
    offers = offers_of(runtime)
    runner = ImportRunner(registrar, runtime.uow)

    participants.register(runtime, Roster(registrar))
    participant_rows.register(runtime, ParticipantRows(directory))
    screening.register(runtime, cache)
    waitlist.register(runtime, Waitlist(registrar, offers, runtime.uow), offers)
    bulk.register(
        runtime,
        Imports(directory, runtime.uow, jetstream, runner.kick),
        Exports(directory, jetstream),
        runner,
    )
    erasures = Erasures(runtime.uow, ErasureParts(runtime).erase, runtime.person_keys.forget, erasure_tuning)
    erasure.register(runtime, erasures, erasure_tuning)
    mirrors.register(runtime, cache)
    reference_changes.register(runtime, cache)


SERVICE = ServiceSpec(
    name="registration",
    metadata=metadata,
    messaging=messaging,
    migrations_dir=Path(__file__).resolve().parents[2] / "migrations",
    wire=wire,
)
