"""events's schema: events, participant types, field definitions, series, editions, clone operations."""

import sqlalchemy as sa

from plenary_contracts.enums import CloneStatus, EventStatus, FieldDataType
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

metadata = service_metadata("events")
messaging = add_messaging_tables(metadata)

event = sa.Table(
    "event",
    metadata,
    id_column(),
    tenant_id_column(),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    enum_column("status", EventStatus, default=EventStatus.DRAFT),
    sa.Column("start_date", sa.DateTime(timezone=True), nullable=False),
    sa.Column("end_date", sa.DateTime(timezone=True), nullable=False),
    # "today" windows (queue numbering, duplicate scans) use the event's IANA timezone, not the server's midnight
    sa.Column("timezone", sa.Text, nullable=False, server_default="UTC"),
    jsonb_column("extras", default="{}"),
    sa.Column("deleted_at", sa.DateTime(timezone=True)),
    created_at(),
    updated_at(),
    # a deleted event's name may be used again
    sa.Index(
        "uq_event_tenant_id_name_live", "tenant_id", "name", unique=True, postgresql_where=sa.text("deleted_at IS NULL")
    ),
    sa.Index(None, "tenant_id", "status"),
    sa.Index(None, "deleted_at"),
)

participant_type = sa.Table(
    "participant_type",
    metadata,
    id_column(),
    tenant_id_column(),
    foreign_key("event_id", "event.id", ondelete="CASCADE"),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("code", sa.Text, nullable=False),
    sa.Column("description", sa.Text),
    created_at(),
    updated_at(),
    sa.UniqueConstraint("tenant_id", "event_id", "code"),
    sa.Index(None, "event_id"),
)

field_definition = sa.Table(
    "field_definition",
    metadata,
    id_column(),
    tenant_id_column(),
    foreign_key("event_id", "event.id", ondelete="CASCADE", nullable=True),
    sa.Column("entity_type", sa.Text, nullable=False, server_default="Participant"),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("label", sa.Text, nullable=False),
    sa.Column("description", sa.Text),
    enum_column("data_type", FieldDataType, nullable=False),
    sa.Column("sort_order", sa.Integer, nullable=False, server_default="0"),
    sa.Column("is_required", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("is_unique", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("is_searchable", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("is_filterable", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("default_value", sa.Text),
    jsonb_column("config", default="{}"),
    jsonb_column("validation", default="[]"),
    created_at(),
    updated_at(),
    # event_id null = a global field: two globals with one name must still collide
    sa.UniqueConstraint("tenant_id", "event_id", "entity_type", "name", postgresql_nulls_not_distinct=True),
    sa.Index(None, "event_id", "entity_type", "sort_order"),
)

event_series = sa.Table(
    "event_series",
    metadata,
    id_column(),
    tenant_id_column(),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("description", sa.Text),
    created_at(),
    updated_at(),
    sa.UniqueConstraint("tenant_id", "name"),
)

event_edition = sa.Table(
    "event_edition",
    metadata,
    id_column(),
    tenant_id_column(),
    foreign_key("series_id", "event_series.id", ondelete="CASCADE"),
    foreign_key("event_id", "event.id", ondelete="CASCADE", unique=True),
    sa.Column("edition_number", sa.Integer, nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("host_country", sa.Text),
    sa.Column("host_city", sa.Text),
    sa.Column("notes", sa.Text),
    created_at(),
    updated_at(),
    sa.UniqueConstraint("series_id", "edition_number"),
    sa.Index(None, "series_id", "year"),
    sa.CheckConstraint("edition_number > 0", name="edition_number_positive"),
    sa.CheckConstraint("year BETWEEN 1900 AND 2100", name="year_in_range"),
)

clone_operation = sa.Table(
    "clone_operation",
    metadata,
    id_column(),
    tenant_id_column(),
    foreign_key("source_event_id", "event.id", ondelete="CASCADE", index=True),
    foreign_key("target_event_id", "event.id", ondelete="SET NULL", nullable=True, index=True),
    enum_column("status", CloneStatus, default=CloneStatus.PENDING),
    jsonb_column("options", nullable=False),
    jsonb_column("elements_copied"),
    sa.Column("error_log", sa.Text),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("completed_at", sa.DateTime(timezone=True)),
    cross_service_ref("created_by"),
    # the saga's persisted state: COPYING → DONE, or COPYING → COMPENSATING → DONE; a process acts on a phase
    # only once it is committed, so a resumed saga goes on the way it was going (forward or back), never both
    sa.Column("phase", sa.Text, nullable=False, server_default="COPYING"),
    jsonb_column("id_map", default="{}"),  # old id → new id, every part's additions so far
    jsonb_column("steps", default="{}"),  # service → {"status": ..., "counts": {...}}
    # the lease of the process driving the saga; an expired one (its process died) is claimed by a sweep
    sa.Column("claimed_until", sa.DateTime(timezone=True)),
    sa.Index(None, "tenant_id", "status"),
    sa.Index("ix_clone_operation_unfinished", "claimed_until", postgresql_where=sa.text("phase <> 'DONE'")),
)

# Read model of workflow's workflows, for ``expand=workflows``.
event_workflow = sa.Table(
    "event_workflow",
    metadata,
    id_column(),
    tenant_id_column(),
    cross_service_ref("event_id"),
    cross_service_ref("participant_type_id", nullable=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("deleted_at", sa.DateTime(timezone=True)),
    sa.Column("source_updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index(None, "event_id"),
)
