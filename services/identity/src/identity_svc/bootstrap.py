"""identity's composition root: it builds each use-case object once and hands it to its area's
entrypoints."""

from pathlib import Path

from nats.js import JetStreamContext

from plenary_kit.service import Runtime, ServiceSpec

from .adapters.passwords import Passwords
from .adapters.signing_keys import TokenSigner
from .adapters.tables import messaging, metadata
from .application.api_keys import ApiKeys
from .application.seed import seed_identity
from .application.sessions import Sessions
from .application.users import Users
from .entrypoints import api_keys, feature_flags, revocations, sessions, tenants, users


def wire(runtime: Runtime) -> None:
    settings = runtime.base_settings
    passwords = Passwords()

    def jetstream() -> JetStreamContext:
        assert runtime.nc is not None, "the bus is connected before any message is handled"
        return runtime.nc.jetstream()

    sessions.register(
        runtime,
        Sessions(passwords, TokenSigner(runtime.engine), settings.access_token_seconds, settings.refresh_token_days),
    )
    tenants.register(runtime)
    users.register(runtime, Users(passwords))
    api_keys.register(runtime, ApiKeys(settings.api_key_secret), jetstream)
    feature_flags.register(runtime, jetstream)
    revocations.register(runtime, jetstream)


SERVICE = ServiceSpec(
    name="identity",
    metadata=metadata,
    messaging=messaging,
    migrations_dir=Path(__file__).resolve().parents[2] / "migrations",
    wire=wire,
    seed=seed_identity,
)
