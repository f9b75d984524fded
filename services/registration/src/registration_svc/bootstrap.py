"""registration's composition root."""

from pathlib import Path

from plenary_kit.service import Runtime, ServiceSpec

from .adapters.tables import messaging, metadata


def wire(runtime: Runtime) -> None:
    from plenary_contracts.catalog import events
    from plenary_contracts.errors import NotFound, ServiceUnavailable
    from plenary_kit.bus.rpc import call
    from plenary_kit.context import Context
    from plenary_kit.logging import get_logger

    from .application.directory import EventDirectory
    from .application.registrar import Registrar
    from .entrypoints import bulk, mirrors, participants, screening, waitlist

    log = get_logger(__name__)

    async def fetch_schema(tenant_id: str, event_id: str) -> events.EventSchema | None:
        """Ask the events service for an event the read model misses; None when it does not know it."""
        assert runtime.nc is not None
        try:
            return await call(
                runtime.nc,
                events.GET_EVENT_SCHEMA,
                events.EventSchemaRef(event_id=event_id),
                context=Context(tenant_id=tenant_id),
            )
        except NotFound:
            return None
        except ServiceUnavailable:
            # nobody can say the event exists: the read model's answer (unknown) stands
            log.warning("events service not answering; event unknown here", event_id=event_id)
            return None

    registrar = Registrar(EventDirectory(fetch_schema), runtime.uow)
    participants.register(runtime, registrar)
    mirrors.register(runtime)
    screening.register(runtime, registrar)
    waitlist.register(runtime, registrar)
    bulk.register(runtime, registrar)


SERVICE = ServiceSpec(
    name="registration",
    metadata=metadata,
    messaging=messaging,
    migrations_dir=Path(__file__).resolve().parents[2] / "migrations",
    wire=wire,
)
