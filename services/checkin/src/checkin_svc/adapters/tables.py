"""checkin's schema: checkpoints, scans, occupancy, badge keys, devices, kiosks, kiosk sessions and queue tickets,
and the read models of participants and events a scan decides from without asking another service."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from plenary_contracts.enums import (
    CheckpointDirection,
    CheckpointType,
    KioskLanguage,
    KioskMode,
    KioskSessionType,
    ParticipantStatus,
    QueueStatus,
    ReentryPolicy,
    ScanResult,
    ScanType,
)
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
    updated_at,
)

metadata = service_metadata("checkin")
messaging = add_messaging_tables(metadata)

checkpoint = sa.Table(
    "checkpoint",
    metadata,
    id_column(),
    tenant_id_column(),
    cross_service_ref("event_id"),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("location", sa.Text),
    enum_column("type", CheckpointType, nullable=False),
    enum_column("direction", CheckpointDirection, nullable=False),
    sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("capacity", sa.Integer),
    sa.Column("zone_id", sa.Text),
    enum_column("reentry", ReentryPolicy, default=ReentryPolicy.ONCE_PER_DAY),
    sa.Column("allowed_participant_type_ids", ARRAY(sa.Text)),  # null: every type
    sa.Column("refuse_passback", sa.Boolean, nullable=False, server_default=sa.false()),
    created_at(),
    updated_at(),
    sa.UniqueConstraint("tenant_id", "event_id", "name"),
    sa.CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
    sa.Index(None, "tenant_id", "event_id", "is_active"),
)

access_log = sa.Table(
    "access_log",
    metadata,
    id_column(),
    tenant_id_column(),
    foreign_key("checkpoint_id", "checkpoint.id", ondelete="CASCADE"),
    cross_service_ref("event_id"),
    cross_service_ref("participant_id", nullable=True),
    enum_column("scan_type", ScanType, nullable=False),
    enum_column("scan_result", ScanResult, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("movement", sa.Text),  # "in" or "out" for an admitted scan
    sa.Column("passback", sa.Boolean, nullable=False, server_default=sa.false()),  # an entry while inside
    sa.Column("zone_id", sa.Text),  # the checkpoint's zone when the scan moved someone
    sa.Column("nonce", sa.Text),  # the device's id of the scan: a repeat is answered from this row
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("qr_payload", sa.Text, nullable=False),
    sa.Column("scanned_by", sa.Text, nullable=False),
    sa.Column("device_id", sa.Text),
    sa.Column("override_reason", sa.Text),
    sa.Column("scanned_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Index(None, "checkpoint_id", "scanned_at"),
    sa.Index(None, "participant_id", "checkpoint_id", "scan_result", "scanned_at"),
    sa.Index(None, "tenant_id", "event_id", "scanned_at", "id"),
    sa.Index(None, "tenant_id", "nonce", unique=True, postgresql_where=sa.text("nonce IS NOT NULL")),
)

# Where each participant is: in or out of each zone (zone null = the venue), moved by admitted scans. A scan
# reads it to apply anti-passback and the after-exit policy without scanning the access log.
presence = sa.Table(
    "presence",
    metadata,
    tenant_id_column(),
    cross_service_ref("event_id"),
    cross_service_ref("participant_id"),
    sa.Column("zone_id", sa.Text),
    sa.Column("inside", sa.Boolean, nullable=False),
    sa.Column("moved_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("participant_id", "zone_id", postgresql_nulls_not_distinct=True),
)

# Registration's participants as a scan needs them, fed by registration's participant events (details and
# status, guarded by ``source_updated_at``) and workflow's status changes (guarded by ``status_version``).
participant = sa.Table(
    "participant",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    tenant_id_column(),
    cross_service_ref("event_id"),
    sa.Column("participant_type_id", sa.Text),
    sa.Column("registration_code", sa.Text, nullable=False),
    sa.Column("first_name", sa.Text, nullable=False),
    sa.Column("last_name", sa.Text, nullable=False),
    sa.Column("email", sa.Text),
    enum_column("status", ParticipantStatus, nullable=False),
    sa.Column("status_version", sa.Integer, nullable=False, server_default="0"),
    sa.Column("source_updated_at", sa.DateTime(timezone=True), nullable=False),
    # The badge: a reissue raises the generation and voids older badges; issued_at and key_id make the
    # current badge's payload reproducible (Ed25519 signatures are deterministic)
    sa.Column("badge_generation", sa.Integer, nullable=False, server_default="0"),
    sa.Column("badge_issued_at", sa.DateTime(timezone=True)),
    sa.Column("badge_key_id", sa.Text),
    # Not unique: events from two streams may briefly show two people with one code while it moves
    sa.Index(None, "tenant_id", "event_id", "registration_code"),
    sa.Index(None, "tenant_id", "event_id", sa.text("lower(email)")),
)

# The events service's events: when each ends ("expired") and its timezone ("today")
event = sa.Table(
    "event",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    tenant_id_column(),
    sa.Column("end_date", sa.DateTime(timezone=True), nullable=False),
    sa.Column("timezone", sa.Text, nullable=False),
    sa.Column("source_updated_at", sa.DateTime(timezone=True), nullable=False),
)

# Each tenant's Ed25519 badge keys. The private key is stored sealed (XSalsa20-Poly1305 under a key derived
# from the badge key secret setting), never in clear; exactly one key per tenant signs.
badge_key = sa.Table(
    "badge_key",
    metadata,
    id_column(),
    tenant_id_column(),
    sa.Column("key_id", sa.Text, nullable=False),  # 4 bytes, hex: what a badge names its key by
    sa.Column("public_key", sa.LargeBinary, nullable=False),
    sa.Column("sealed_private_key", sa.LargeBinary, nullable=False),
    sa.Column("signing", sa.Boolean, nullable=False),
    created_at(),
    sa.Column("retired_at", sa.DateTime(timezone=True)),
    sa.UniqueConstraint("tenant_id", "key_id"),
    sa.Index(None, "tenant_id", unique=True, postgresql_where=sa.text("signing")),
)

# Handheld scanners paired to an event; each authenticates with an identity API key issued at pairing
device = sa.Table(
    "device",
    metadata,
    id_column(),
    tenant_id_column(),
    cross_service_ref("event_id"),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("api_key_id", sa.Text, nullable=False, unique=True),
    sa.Column("key_prefix", sa.Text, nullable=False),
    sa.Column("paired_by", sa.Text),
    sa.Column("last_seen_at", sa.DateTime(timezone=True)),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
    created_at(),
    sa.Index(None, "tenant_id", "event_id"),
)

venue_occupancy = sa.Table(
    "venue_occupancy",
    metadata,
    id_column(),
    tenant_id_column(),
    cross_service_ref("event_id"),
    sa.Column("zone_id", sa.Text),
    sa.Column("current_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("max_capacity", sa.Integer, nullable=False),
    sa.Column(
        "last_updated",
        sa.DateTime(timezone=True),
        nullable=False,
        server_default=sa.func.now(),
        onupdate=sa.func.now(),
    ),
    sa.UniqueConstraint("event_id", "zone_id", postgresql_nulls_not_distinct=True),
    sa.CheckConstraint("current_count >= 0", name="current_count_not_negative"),
)

kiosk_device = sa.Table(
    "kiosk_device",
    metadata,
    id_column(),
    tenant_id_column(),
    cross_service_ref("event_id"),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("location", sa.Text, nullable=False),
    sa.Column("is_online", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("last_heartbeat", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    enum_column("language", KioskLanguage, default=KioskLanguage.EN),
    enum_column("mode", KioskMode, default=KioskMode.SELF_SERVICE),
    sa.Column("api_key_id", sa.Text, unique=True),  # the identity API key the kiosk authenticates with
    sa.Column("key_prefix", sa.Text),
    created_at(),
    updated_at(),
    sa.UniqueConstraint("tenant_id", "event_id", "name"),
    sa.Index(None, "is_online", "last_heartbeat"),
)

kiosk_session = sa.Table(
    "kiosk_session",
    metadata,
    id_column(),
    tenant_id_column(),
    foreign_key("device_id", "kiosk_device.id", ondelete="CASCADE"),
    cross_service_ref("participant_id", nullable=True),
    enum_column("session_type", KioskSessionType, nullable=False),
    enum_column("language", KioskLanguage, default=KioskLanguage.EN),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("ended_at", sa.DateTime(timezone=True)),
    sa.Column("timed_out", sa.Boolean, nullable=False, server_default=sa.false()),
    jsonb_column("metadata"),
    sa.Index(None, "device_id", "started_at"),
)

queue_ticket = sa.Table(
    "queue_ticket",
    metadata,
    id_column(),
    tenant_id_column(),
    cross_service_ref("event_id"),
    cross_service_ref("participant_id"),
    sa.Column("ticket_number", sa.Text, nullable=False),
    # Numbering restarts each day in the event's timezone, so the day is part of the key
    sa.Column("ticket_date", sa.Date, nullable=False),
    sa.Column("counter_number", sa.Integer),
    enum_column("status", QueueStatus, default=QueueStatus.WAITING),
    sa.Column("priority", sa.Integer, nullable=False, server_default="0"),
    sa.Column("estimated_wait", sa.Integer),
    sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("called_at", sa.DateTime(timezone=True)),
    sa.Column("served_at", sa.DateTime(timezone=True)),
    sa.Column("completed_at", sa.DateTime(timezone=True)),
    sa.UniqueConstraint("tenant_id", "event_id", "ticket_date", "ticket_number"),
    sa.CheckConstraint("priority >= 0", name="priority_not_negative"),
    sa.Index(None, "tenant_id", "event_id", "status", "priority", "joined_at"),
)
