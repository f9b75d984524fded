"""webhooks's schema: tenants' webhook subscriptions and every delivery attempt made to them."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID

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
    sa.Column("secret", sa.Text, nullable=False),
    enum_column("status", WebhookStatus, default=WebhookStatus.ACTIVE),
    sa.Column("version", sa.Text, nullable=False, server_default="v1"),
    sa.Column("max_retries", sa.Integer, nullable=False, server_default="5"),
    sa.Column(
        "retry_backoff_ms",
        sa.ARRAY(sa.Integer),
        nullable=False,
        server_default=sa.text("'{1000,5000,30000,300000,1800000}'::integer[]"),
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
    sa.Column("max_attempts", sa.Integer, nullable=False, server_default="5"),
    sa.Column("next_retry_at", sa.DateTime(timezone=True)),
    sa.Column("response_code", sa.Integer),
    sa.Column("response_body", sa.Text),
    jsonb_column("response_headers"),
    sa.Column("latency_ms", sa.Integer),
    sa.Column("error_message", sa.Text),
    enum_column("error_type", WebhookErrorType, nullable=True),
    sa.Column("delivered_at", sa.DateTime(timezone=True)),
    created_at(),
    updated_at(),
    # a redelivered bus event never makes a second delivery to the same subscription
    sa.UniqueConstraint("subscription_id", "event_id"),
    sa.Index(None, "subscription_id", "status"),
    sa.Index(None, "tenant_id", "event_type", "created_at"),
    sa.Index(None, "status", "next_retry_at"),
    sa.Index(None, "event_id"),
)
