"""Settings from the environment (``PLENARY_*``), with per-service overrides.

``PLENARY_DATABASE_URL`` is the administrative URL (it creates roles and schemas); each service
connects as its own role, from ``PLENARY_<SERVICE>_DATABASE_URL`` or, failing that, from the
administrative URL with the service's role and ``PLENARY_DB_ROLE_PASSWORD``.
"""

import os
from functools import cached_property
from pathlib import Path

from pydantic import PrivateAttr
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

from plenary_contracts.services import schema_of

EMBEDDED_PG_PASSWORD = "plenary"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PLENARY_", extra="ignore")

    # Ports of the PostgreSQL and nats-server that `plenary dev` starts when no URL is given; the default
    # URLs follow them, so a second checkout on other ports reaches its own servers.
    pg_port: int = 55432
    nats_port: int = 44222
    database_url: str = f"postgresql://postgres:{EMBEDDED_PG_PASSWORD}@127.0.0.1:55432/plenary"
    nats_url: str = "nats://127.0.0.1:44222"
    # Copies JetStream keeps of each stream and bucket `plenary streams apply` creates or updates: 1 on one
    # nats-server (the embedded run), 3 on a three-node JetStream cluster.
    stream_replicas: int = 1
    db_role_password: str = "plenary"
    home: Path = Path(".plenary")
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    health_port_base: int = 9100
    log_level: str = "INFO"
    log_json: bool = True
    request_timeout_seconds: float = 5.0
    outbox_poll_seconds: float = 1.0
    outbox_publish_timeout_seconds: float = 5.0
    retry_base_seconds: float = 1.0
    retry_cap_seconds: float = 60.0
    # HMAC key of API key hashes, shared by identity (which hashes) and the gateway (which verifies).
    api_key_secret: str = "plenary-dev-api-key-secret"
    # Seals checkin's badge signing keys at rest: the private keys are stored encrypted under a key derived from it.
    badge_key_secret: str = "plenary-dev-badge-key-secret"
    # Seals each person's key (the keys that seal personal data inside events) in the person key bucket.
    personal_data_secret: str = "plenary-dev-personal-data-secret"
    access_token_seconds: int = 900
    refresh_token_days: int = 30
    admin_password: str | None = None  # the seeded global admin's; printed once when generated
    trusted_proxies: list[str] = []  # networks whose X-Forwarded-For the gateway believes
    public_requests_per_minute: int = 60  # per client IP on routes without a credential (login, refresh)
    usage_flush_seconds: float = 5.0
    api_key_sweep_seconds: float = 60.0
    workflow_timer_seconds: float = 30.0  # SLA and branch-timeout sweeps
    waitlist_timer_seconds: float = 300.0  # offer expiry and reminders, every 5 minutes
    kiosk_sweep_seconds: float = 60.0  # marks kiosks silent for 3 minutes offline
    import_poll_seconds: float = 1.0  # how often an idle registration replica looks for imports to run
    max_body_bytes: int = 1_048_576
    # Requests one process handles at once, all its operations together (each holds a pooled connection);
    # more wait their turn in the subscriptions' queues.
    request_concurrency: int = 16
    consumer_batch_size: int = 100  # messages a consumer fetches and handles in one transaction
    max_upload_bytes: int = 50 * 1_048_576  # file upload routes (imports)
    # How long the gateway waits for a request's whole body (from its first read) before a 408.
    body_timeout_seconds: float = 30.0
    upload_timeout_seconds: float = 300.0  # file upload routes: 50 MiB at ~170 KB/s
    # The gateway's live feeds (Server-Sent Events): streams one gateway process holds open at once (more: 503),
    # and the quiet time after which a stream sends a keep-alive comment.
    sse_max_streams: int = 1000
    sse_keepalive_seconds: float = 15.0
    # Webhooks: the key their signing secrets are sealed under at rest, the retry schedule (seconds before each
    # retry after the first attempt, then dead letter), the networks deliveries may reach besides public
    # addresses and whether plain http is allowed (a local run or tests: ["127.0.0.0/8"] and true), the
    # delivery worker's idle poll, claim size, requests in flight per process and per subscription, and how
    # long dead letters and finished deliveries are kept.
    webhook_secret_key: str = "plenary-dev-webhook-secret-key"
    webhook_retry_schedule_seconds: list[int] = [5, 300, 1800, 7200, 18000, 36000, 36000]
    webhook_allowed_networks: list[str] = []
    webhook_allow_http: bool = False
    webhook_poll_seconds: float = 0.2
    webhook_batch_size: int = 200
    webhook_concurrency: int = 256
    webhook_subscription_concurrency: int = 32
    webhook_retention_days: int = 30

    # Comms: the delivery job (claim size, SMTP connections per process, idle poll, how long a claimed delivery
    # is held before another replica may take it again, retry delays), how often due scheduled broadcasts are
    # sent; the SMTP server (none: e-mails are logged, not sent); SMS and push providers (HTTP, none: logged),
    # the networks they may be on besides public addresses and whether plain http is allowed.
    comms_batch_size: int = 200
    comms_senders: int = 8
    comms_poll_seconds: float = 1.0
    comms_lease_seconds: float = 120.0
    comms_retry_delays_seconds: list[int] = [60, 300]
    comms_schedule_seconds: float = 10.0
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_starttls: bool = True
    smtp_tls: bool = False
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_from: str = "Plenary <no-reply@plenary.local>"
    smtp_timeout_seconds: float = 30.0
    comms_sms_provider_url: str = ""
    comms_push_provider_url: str = ""
    comms_provider_token: str = ""
    comms_provider_allowed_networks: list[str] = []
    comms_provider_allow_http: bool = False
    # The key unsubscribe links are signed with, the key providers sign delivery reports with, and the address
    # the links start with (empty: the gateway's http_host and http_port).
    comms_unsubscribe_secret: str = "plenary-dev-unsubscribe-secret"
    comms_provider_report_secret: str = "plenary-dev-provider-report-secret"
    comms_public_url: str = ""
    # Delegation: the key invite tokens are sealed under for comms (the e-mail's link; delegation keeps only their
    # hash), and the period of the sweeper expiring pending invites.
    delegation_invite_secret: str = "plenary-dev-delegation-invite-secret"
    delegation_sweep_seconds: float = 60.0
    # Analytics: how often a replica checks whether this hour's snapshots are taken (one replica takes them).
    analytics_snapshot_check_seconds: float = 60.0
    # Audit: messages the index takes per fetch (one insert per batch), and how long a delivery trace waits for
    # the services' inbox rows and webhooks' deliveries.
    audit_index_batch_size: int = 500
    audit_trace_deadline_seconds: float = 0.5
    # The clone saga (events): how long a part that does not answer is asked again before the clone is rolled
    # back, a driver's lease (how soon another process takes over the sagas of one that died), and how often
    # each process looks for such sagas.
    events_clone_retry_seconds: float = 60.0
    events_clone_lease_seconds: float = 30.0
    events_clone_sweep_seconds: float = 5.0

    _embedded_postgres: bool = PrivateAttr(default=False)
    _embedded_nats: bool = PrivateAttr(default=False)

    def model_post_init(self, context: object) -> None:
        """Without a URL, the embedded server's: on its port, and `plenary dev` starts it."""
        self._embedded_postgres = "database_url" not in self.model_fields_set
        self._embedded_nats = "nats_url" not in self.model_fields_set
        # object.__setattr__: a derived default, which must not count as a URL the caller gave
        if self._embedded_postgres:
            url = f"postgresql://postgres:{EMBEDDED_PG_PASSWORD}@127.0.0.1:{self.pg_port}/plenary"
            object.__setattr__(self, "database_url", url)
        if self._embedded_nats:
            object.__setattr__(self, "nats_url", f"nats://127.0.0.1:{self.nats_port}")

    @property
    def embedded_postgres(self) -> bool:
        return self._embedded_postgres

    @property
    def embedded_nats(self) -> bool:
        return self._embedded_nats

    def service(self, name: str) -> "ServiceSettings":
        return ServiceSettings(self, name)


class ServiceSettings:
    """One service's view of the settings, honouring ``PLENARY_<SERVICE>_*`` overrides."""

    def __init__(self, base: Settings, name: str) -> None:
        self.base = base
        self.name = name
        self.schema = schema_of(name)
        self.role = f"plenary_{self.schema}"

    def setting_name(self, key: str) -> str:
        """The environment variable of this service's ``key`` override: ``PLENARY_<SERVICE>_<KEY>``."""
        return f"PLENARY_{self.schema.upper()}_{key}"

    def _override(self, key: str) -> str | None:
        return os.environ.get(self.setting_name(key))

    @cached_property
    def database_url(self) -> str:
        explicit = self._override("DATABASE_URL")
        if explicit:
            return explicit
        url = make_url(self.base.database_url).set(username=self.role, password=self.base.db_role_password)
        return url.render_as_string(hide_password=False)

    @property
    def has_own_database_url(self) -> bool:
        return self._override("DATABASE_URL") is not None

    @cached_property
    def nats_url(self) -> str:
        return self._override("NATS_URL") or self.base.nats_url

    def health_port(self, index: int) -> int:
        explicit = self._override("HEALTH_PORT")
        return int(explicit) if explicit else self.base.health_port_base + index


def async_url(url: str) -> str:
    """SQLAlchemy URL for psycopg 3 (async and sync alike)."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def libpq_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
