"""checkin's schema: checkpoints, scans, occupancy, kiosks, kiosk sessions and queue tickets."""

import sqlalchemy as sa

from plenary_contracts.enums import (
    CheckpointDirection,
    CheckpointType,
    KioskLanguage,
    KioskMode,
    KioskSessionType,
    QueueStatus,
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
    cross_service_ref("participant_id", nullable=True),
    enum_column("scan_type", ScanType, nullable=False),
    enum_column("scan_result", ScanResult, nullable=False),
    sa.Column("qr_payload", sa.Text, nullable=False),
    sa.Column("scanned_by", sa.Text, nullable=False),
    sa.Column("device_id", sa.Text),
    sa.Column("override_reason", sa.Text),
    sa.Column("scanned_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Index(None, "checkpoint_id", "scanned_at"),
    sa.Index(None, "participant_id", "checkpoint_id", "scan_result", "scanned_at"),
    sa.Index(None, "tenant_id", "scanned_at"),
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
