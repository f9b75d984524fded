"""comms's composition root: the channel adapters, the delivery job and the scheduled sends are built here
once and handed to the entrypoints."""

from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

from plenary_contracts.catalog.comms import PROVIDER_REPORT, UNSUBSCRIBE
from plenary_contracts.catalog.delegation import ACCEPT_PATH, SEALING_PURPOSE
from plenary_contracts.enums import MessageChannel
from plenary_kit.outbound import AddressPolicy, OutboundClient
from plenary_kit.sealing import Sealer
from plenary_kit.service import Runtime, ServiceSpec
from plenary_kit.settings import Settings

from .adapters.channels import HttpProvider, InApp, LogChannel, SmtpEmail, SmtpSettings
from .adapters.tables import messaging, metadata
from .application.broadcasts import ScheduledSends
from .application.delivery_job import Channel, DeliveryJob, JobSettings
from .application.reports import Reports
from .application.unsubscribe import Unsubscribing
from .entrypoints import broadcasts, consumers, erasure, notifications, templates


def channels(settings: Settings, closers: list[Callable[[], Awaitable[None]]]) -> dict[MessageChannel, Channel]:
    """E-mail over SMTP when a server is set, else logged; SMS and push through their HTTP provider when one is
    set, else logged; in-app as notifications. ``closers``: what to close once the delivery job stopped."""
    email: Channel = LogChannel(MessageChannel.EMAIL)
    if settings.smtp_host:
        smtp = SmtpEmail(
            SmtpSettings(
                host=settings.smtp_host,
                port=settings.smtp_port,
                sender=settings.smtp_from,
                starttls=settings.smtp_starttls,
                tls=settings.smtp_tls,
                username=settings.smtp_username,
                password=settings.smtp_password,
                timeout=settings.smtp_timeout_seconds,
            ),
            connections=settings.comms_senders,
        )
        closers.append(smtp.aclose)
        email = smtp
    found: dict[MessageChannel, Channel] = {MessageChannel.EMAIL: email, MessageChannel.IN_APP: InApp()}
    client: OutboundClient | None = None
    for channel, url in (
        (MessageChannel.SMS, settings.comms_sms_provider_url),
        (MessageChannel.PUSH, settings.comms_push_provider_url),
    ):
        if not url:
            found[channel] = LogChannel(channel)
            continue
        if client is None:
            client = OutboundClient(
                AddressPolicy.allowing(settings.comms_provider_allowed_networks),
                allow_http=settings.comms_provider_allow_http,
                max_connections=settings.comms_senders * 2,
            )
            closers.append(client.aclose)
        found[channel] = HttpProvider(client, url, settings.comms_provider_token, channel)
    return found


def invite_link(secret: str, public_url: str) -> Callable[[str], str]:
    """A delegation invite's accept link from the token delegation sealed for comms (the same secret and purpose)."""
    sealer = Sealer(secret, SEALING_PURPOSE)
    return lambda sealed: f"{public_url}{ACCEPT_PATH}?{urlencode({'token': sealer.unseal(sealed)})}"


def wire(runtime: Runtime) -> None:
    settings = runtime.base_settings
    closers: list[Callable[[], Awaitable[None]]] = []
    public_url = settings.comms_public_url or f"http://{settings.http_host}:{settings.http_port}"
    unsubscribing = Unsubscribing(settings.comms_unsubscribe_secret, public_url)
    job = DeliveryJob(
        runtime.uow,
        channels(settings, closers),
        JobSettings(
            batch_size=settings.comms_batch_size,
            senders=settings.comms_senders,
            poll_seconds=settings.comms_poll_seconds,
            lease_seconds=settings.comms_lease_seconds,
            retry_delays=tuple(timedelta(seconds=s) for s in settings.comms_retry_delays_seconds),
        ),
        unsubscribe=unsubscribing.link,
    )
    templates.register(runtime)
    broadcasts.register(runtime, job, ScheduledSends(runtime.uow), settings.comms_schedule_seconds)
    notifications.register(runtime)
    erasure.register(runtime)
    runtime.serve(UNSUBSCRIBE, unsubscribing.unsubscribe)
    runtime.serve(PROVIDER_REPORT, Reports(settings.comms_provider_report_secret).provider_report)
    consumers.register(runtime, job.wake, invite_link(settings.delegation_invite_secret, public_url))
    for close in closers:  # after the job's own stop hook (registered above): its last messages go out first
        runtime.on_stop(close)


SERVICE = ServiceSpec(
    name="comms",
    metadata=metadata,
    messaging=messaging,
    migrations_dir=Path(__file__).resolve().parents[2] / "migrations",
    wire=wire,
)
