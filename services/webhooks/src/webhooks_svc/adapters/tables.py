"""webhooks's schema: tenants' webhook subscriptions, every delivery and each of its attempts, and replays."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID

from plenary_contracts.catalog.webhooks import ReplayStatus
from plenary_contracts.enums import DeliveryStatus, WebhookErrorType, WebhookStatus
from plenary_kit.db import (
    add_messaging_tables,
    created_at,
    cross_service_ref,
    enum_column,
    foreign_key,
    id_column,
    jsonb_column,
    service_metadata,
    tenant_id_column,
    text_array,
    updated_at,
)

metadata = service_metadata("webhooks")
messaging = add_messaging_tables(metadata)

webhook_subscription = sa.Table(
    "webhook_subscription",
    metadata,
    id_column(),
    tenant_id_column(),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("description", sa.Text),
    text_array("events"),
    sa.Column("secret", sa.Text, nullable=False),  # sealed (plenary_kit.sealing), never in clear
    sa.Column("previous_secret", sa.Text),  # sealed; still signs until previous_secret_expires_at
    sa.Column("previous_secret_expires_at", sa.DateTime(timezone=True)),
    enum_column("status", WebhookStatus, default=WebhookStatus.ACTIVE),
    sa.Column("version", sa.Text, nullable=False, server_default="v1"),
    sa.Column("max_retries", sa.Integer, nullable=False, server_default="7"),
    # milliseconds before each retry after the first attempt; max_retries is its length
    sa.Column(
        "retry_backoff_ms",
        sa.ARRAY(sa.Integer),
        nullable=False,
        server_default=sa.text("'{5000,300000,1800000,7200000,18000000,36000000,36000000}'::integer[]"),
    ),
    sa.Column("timeout_ms", sa.Integer, nullable=False, server_default="10000"),
    sa.Column("consecutive_failures", sa.Integer, nullable=False, server_default="0"),
    sa.Column("circuit_breaker_open", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("circuit_breaker_reset_at", sa.DateTime(timezone=True)),
    jsonb_column("headers"),
    jsonb_column("metadata"),
    cross_service_ref("created_by"),
    created_at(),
    updated_at(),
    sa.Index(None, "tenant_id", "status"),
)

webhook_delivery = sa.Table(
    "webhook_delivery",
    metadata,
    id_column(),
    tenant_id_column(),
    foreign_key("subscription_id", "webhook_subscription.id", ondelete="CASCADE"),
    sa.Column("event_type", sa.Text, nullable=False),
    sa.Column("event_id", UUID(as_uuid=True), nullable=False),
    jsonb_column("payload", nullable=False),
    enum_column("status", DeliveryStatus, default=DeliveryStatus.PENDING),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("max_attempts", sa.Integer, nullable=False, server_default="8"),
    sa.Column("next_retry_at", sa.DateTime(timezone=True)),
    sa.Column("response_code", sa.Integer),
    sa.Column("response_body", sa.Text),
    jsonb_column("response_headers"),
    sa.Column("latency_ms", sa.Integer),
    sa.Column("error_message", sa.Text),
    enum_column("error_type", WebhookErrorType, nullable=True),
    sa.Column("delivered_at", sa.DateTime(timezone=True)),
    sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    created_at(),
    updated_at(),
    # a redelivered bus event never makes a second delivery to the same subscription
    sa.UniqueConstraint("subscription_id", "event_id"),
    sa.Index(None, "subscription_id", "status"),
    sa.Index(None, "tenant_id", "event_type", "created_at"),
    sa.Index(None, "status", "next_retry_at"),
    sa.Index(None, "event_id"),
)

webhook_delivery_attempt = sa.Table(
    "webhook_delivery_attempt",
    metadata,
    foreign_key("delivery_id", "webhook_delivery.id", ondelete="CASCADE"),
    sa.Column("attempt", sa.Integer, nullable=False),
    tenant_id_column(),
    sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("response_code", sa.Integer),
    sa.Column("latency_ms", sa.Integer),
    enum_column("error_type", WebhookErrorType, nullable=True),
    sa.Column("error_message", sa.Text),
    sa.PrimaryKeyConstraint("delivery_id", "attempt"),
)

webhook_replay = sa.Table(
    "webhook_replay",
    metadata,
    id_column(),
    tenant_id_column(),
    foreign_key("subscription_id", "webhook_subscription.id", ondelete="CASCADE"),
    sa.Column("since", sa.DateTime(timezone=True), nullable=False),
    sa.Column("until", sa.DateTime(timezone=True), nullable=False),
    sa.Column("event_types", sa.ARRAY(sa.Text)),
    enum_column("status", ReplayStatus, default=ReplayStatus.RUNNING),
    # per stream: the last sequence read, and the last one to read (the stream's end when the replay began)
    jsonb_column("positions", nullable=False),
    jsonb_column("ends", nullable=False),
    sa.Column("events_scanned", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("deliveries_queued", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("lease_until", sa.DateTime(timezone=True)),  # a process working on it holds it until then
    sa.Column("error", sa.Text),
    cross_service_ref("created_by"),
    created_at(),
    updated_at(),
    sa.Column("finished_at", sa.DateTime(timezone=True)),
    sa.Index(None, "subscription_id", "created_at"),
    sa.Index(None, "status", "lease_until"),
)
