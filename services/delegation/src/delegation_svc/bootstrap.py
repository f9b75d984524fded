"""delegation's composition root: the events and registration clients, the token sealer and the use cases
are built here once and handed to the entrypoints."""

from pathlib import Path

from plenary_contracts.flags import FlagContext, FlagKey
from plenary_kit.clients.events import EventsClient
from plenary_kit.service import Runtime, ServiceSpec

from .adapters.registration_client import RegistrationClient
from .adapters.tables import messaging, metadata
from .application.invites import Invites, invite_sealer
from .application.portal import Portal
from .application.quotas import Quotas
from .entrypoints import consumers, portal, quotas, saga_parts


def wire(runtime: Runtime) -> None:
    settings = runtime.base_settings

    def portal_on(tenant_id: str) -> bool:
        return runtime.flags.is_enabled(FlagKey.DELEGATION_PORTAL, FlagContext(tenant_id=tenant_id))

    invites = Invites(invite_sealer(settings.delegation_invite_secret), runtime.uow)
    quotas.register(runtime, Quotas(EventsClient(runtime)), invites)
    portal.register(runtime, Portal(portal_on, RegistrationClient(runtime), runtime.uow))
    consumers.register(runtime)
    saga_parts.register(runtime)


SERVICE = ServiceSpec(
    name="delegation",
    metadata=metadata,
    messaging=messaging,
    migrations_dir=Path(__file__).resolve().parents[2] / "migrations",
    wire=wire,
)
