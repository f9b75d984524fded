"""comms's schema: message templates, broadcasts, their deliveries, and in-app notifications; and the read
models of participants, events, participant types and users a message is addressed and rendered from."""

import sqlalchemy as sa

from plenary_contracts.enums import BroadcastStatus, MessageChannel, MessageStatus
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

metadata = service_metadata("comms")
messaging = add_messaging_tables(metadata)

message_template = sa.Table(
    "message_template",
    metadata,
    id_column(),
    tenant_id_column(),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("subject", sa.Text),
    sa.Column("body", sa.Text, nullable=False),
    enum_column("channel", MessageChannel, nullable=False),
    sa.Column("is_system", sa.Boolean, nullable=False, server_default=sa.false()),
    text_array("variables"),
    cross_service_ref("created_by", nullable=True),
    cross_service_ref("updated_by", nullable=True),
    created_at(),
    updated_at(),
    sa.UniqueConstraint("tenant_id", "name", "channel"),
)

broadcast_message = sa.Table(
    "broadcast_message",
    metadata,
    id_column(),
    tenant_id_column(),
    cross_service_ref("event_id", nullable=True),
    foreign_key("template_id", "message_template.id", ondelete="SET NULL", nullable=True, index=True),
    sa.Column("subject", sa.Text),
    sa.Column("body", sa.Text, nullable=False),
    enum_column("channel", MessageChannel, nullable=False),
    enum_column("status", BroadcastStatus, default=BroadcastStatus.DRAFT),
    jsonb_column("filters", default="{}"),
    sa.Column("recipient_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("sent_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("failed_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("delivered_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("bounced_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("is_emergency", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("priority", sa.Integer, nullable=False, server_default="5"),
    sa.Column("scheduled_at", sa.DateTime(timezone=True)),
    sa.Column("sent_at", sa.DateTime(timezone=True)),
    sa.Column("completed_at", sa.DateTime(timezone=True)),
    cross_service_ref("created_by", nullable=True),
    cross_service_ref("cancelled_by", nullable=True),
    sa.Column("cancelled_at", sa.DateTime(timezone=True)),
    sa.Column("cancel_reason", sa.Text),
    created_at(),
    updated_at(),
    sa.CheckConstraint("priority BETWEEN 1 AND 10", name="priority_range"),
    sa.Index(None, "tenant_id", "status"),
    sa.Index(None, "status", "scheduled_at"),
)

message_delivery = sa.Table(
    "message_delivery",
    metadata,
    id_column(),
    tenant_id_column(),
    # A platform message (a workflow notice, a waitlist offer) has no broadcast: it names a user or a participant
    # and carries its own rendering (subject, body); a broadcast's delivery is rendered when it is sent.
    foreign_key("broadcast_id", "broadcast_message.id", ondelete="CASCADE", nullable=True),
    cross_service_ref("participant_id", nullable=True),
    cross_service_ref("user_id", nullable=True),
    # a platform notice to a user about a participant (a registration to review): erased with that participant
    cross_service_ref("about_participant_id", nullable=True),
    enum_column("channel", MessageChannel, nullable=False),
    sa.Column("recipient", sa.Text, nullable=False),
    sa.Column("priority", sa.Integer, nullable=False, server_default="5"),  # the broadcast's, 1 = first
    sa.Column("subject", sa.Text),
    sa.Column("body", sa.Text),
    enum_column("status", MessageStatus, default=MessageStatus.QUEUED),
    sa.Column("external_id", sa.Text, index=True),
    sa.Column("sent_at", sa.DateTime(timezone=True)),
    sa.Column("delivered_at", sa.DateTime(timezone=True)),
    sa.Column("bounced_at", sa.DateTime(timezone=True)),
    sa.Column("error_message", sa.Text),
    sa.Column("error_code", sa.Text),
    sa.Column("retry_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_retry_at", sa.DateTime(timezone=True)),
    created_at(),
    updated_at(),
    sa.UniqueConstraint("broadcast_id", "participant_id", "channel"),
    sa.Index(None, "status", "next_retry_at"),
    sa.Index(None, "broadcast_id", "status"),
    sa.Index(None, "status", "priority", "next_retry_at"),
    # an erasure finds a person's deliveries by participant, and those that name nobody by address
    sa.Index(None, "tenant_id", "participant_id"),
    sa.Index(None, "tenant_id", "about_participant_id"),
    sa.Index(None, "tenant_id", sa.text("lower(recipient)")),
    sa.CheckConstraint("broadcast_id IS NOT NULL OR body IS NOT NULL", name="platform_message_has_body"),
)

notification = sa.Table(
    "notification",
    metadata,
    id_column(),
    tenant_id_column(),
    cross_service_ref("user_id"),
    sa.Column("type", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    jsonb_column("data"),
    sa.Column("read", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("read_at", sa.DateTime(timezone=True)),
    created_at(),
    sa.Index(None, "user_id", "read", "created_at"),
)

# --- read models, kept from other services' events (guarded by the record's updatedAt) ---------------

participant = sa.Table(
    "participant",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    tenant_id_column(),
    cross_service_ref("event_id"),
    cross_service_ref("participant_type_id"),
    sa.Column("first_name", sa.Text, nullable=False),
    sa.Column("last_name", sa.Text, nullable=False),
    sa.Column("email", sa.Text),
    sa.Column("status", sa.Text, nullable=False),
    # the version of workflow's decision the status reflects: its status changes and registration's record
    # (which carries it) both set the status, the newer decision winning
    sa.Column("status_version", sa.Integer, nullable=False, server_default="0"),
    jsonb_column("extras", default="{}"),
    cross_service_ref("delegation_id", nullable=True),
    sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("source_updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index(None, "tenant_id", "event_id", "registered_at"),
)

event = sa.Table(
    "event",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    tenant_id_column(),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("start_date", sa.DateTime(timezone=True), nullable=False),
    sa.Column("timezone", sa.Text, nullable=False),
    sa.Column("source_updated_at", sa.DateTime(timezone=True), nullable=False),
)

participant_type = sa.Table(
    "participant_type",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    tenant_id_column(),
    cross_service_ref("event_id"),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("source_updated_at", sa.DateTime(timezone=True), nullable=False),
)

recipient_user = sa.Table(
    "recipient_user",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    tenant_id_column(nullable=True),  # a global admin has no tenant
    sa.Column("email", sa.Text, nullable=False),  # lower-cased: looked up by address, any case
    sa.Column("name", sa.Text),
    sa.Column("source_updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index(None, "tenant_id", "email"),
)

# A participant who unsubscribed: no broadcast reaches them any more, but an emergency one.
opt_out = sa.Table(
    "opt_out",
    metadata,
    tenant_id_column(),
    sa.Column("participant_id", sa.String(32), nullable=False),
    created_at(),
    sa.PrimaryKeyConstraint("tenant_id", "participant_id"),
)
