"""webhooks's composition root: the outbound client, the sealer, the sender and the delivery worker are built
here once and handed to the entrypoints."""

from pathlib import Path

from nats.aio.client import Client

from plenary_contracts.flags import FlagContext, FlagKey
from plenary_kit.outbound import AddressPolicy, OutboundClient
from plenary_kit.sealing import Sealer
from plenary_kit.service import Runtime, ServiceSpec

from .adapters.tables import messaging, metadata
from .application.cleanup import Retention
from .application.dispatch import Dispatch
from .application.replays import Replays
from .application.sending import KEEP_BODY_BYTES, Sender
from .application.subscriptions import Subscriptions
from .application.worker import DeliveryWorker, WorkerSettings
from .entrypoints import consumers, deliveries, erasure, replays, subscriptions

SECRET_PURPOSE = "webhooks.secret"


def wire(runtime: Runtime) -> None:
    settings = runtime.base_settings

    def bus() -> Client:
        assert runtime.nc is not None, "the bus connection is made when the runtime starts"
        return runtime.nc

    def enabled_for(tenant_id: str) -> bool:
        return runtime.flags.is_enabled(FlagKey.WEBHOOKS, FlagContext(tenant_id=tenant_id))

    client = OutboundClient(
        AddressPolicy.allowing(settings.webhook_allowed_networks),
        allow_http=settings.webhook_allow_http,
        max_connections=settings.webhook_concurrency + 16,  # the test operation's attempts besides the worker's
        keep_body_bytes=KEEP_BODY_BYTES,
    )
    sender = Sender(client, Sealer(settings.webhook_secret_key, SECRET_PURPOSE))
    worker = DeliveryWorker(
        runtime.uow,
        sender,
        WorkerSettings(
            batch_size=settings.webhook_batch_size,
            concurrency=settings.webhook_concurrency,
            subscription_concurrency=settings.webhook_subscription_concurrency,
            poll_seconds=settings.webhook_poll_seconds,
        ),
    )
    subscriptions.register(
        runtime,
        Subscriptions(client, sender.sealer, sender, list(settings.webhook_retry_schedule_seconds)),
    )
    deliveries.register(runtime, worker, Retention(runtime.uow, settings.webhook_retention_days))
    replays.register(runtime, Replays(bus, runtime.uow, runtime.person_keys))
    erasure.register(runtime)
    consumers.register(runtime, Dispatch(enabled_for, worker.wake))
    runtime.on_stop(client.aclose)


SERVICE = ServiceSpec(
    name="webhooks",
    metadata=metadata,
    messaging=messaging,
    migrations_dir=Path(__file__).resolve().parents[2] / "migrations",
    wire=wire,
)
