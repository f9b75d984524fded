"""analytics's schema: projections of the producers' events behind the dashboard, and metric snapshots.

Every projection table has a ``generation``: the live consumers write the current one (``projection_generation``);
a rebuild fills the next one from the streams, then makes it current in one transaction (see the README).
Keys that may be unknown (an event for no event, a participant type not seen yet) hold ``''``, never NULL.
"""

import sqlalchemy as sa

from plenary_kit.db import (
    add_messaging_tables,
    created_at,
    cross_service_ref,
    id_column,
    jsonb_column,
    service_metadata,
    tenant_id_column,
)

metadata = service_metadata("analytics")
messaging = add_messaging_tables(metadata)

analytics_snapshot = sa.Table(
    "analytics_snapshot",
    metadata,
    id_column(),
    tenant_id_column(),
    cross_service_ref("event_id", nullable=True),
    sa.Column("metric", sa.Text, nullable=False),
    sa.Column("value", sa.Double, nullable=False),
    jsonb_column("dimensions", default="{}"),
    sa.Column("period", sa.Text, nullable=False),
    sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False),
    created_at(),
    sa.Index(None, "tenant_id", "metric", "period"),
    sa.Index(None, "tenant_id", "event_id", "metric"),
    sa.Index(None, "timestamp"),
)


def _generation() -> sa.Column[int]:
    return sa.Column("generation", sa.Integer, primary_key=True)


def _count() -> sa.Column[int]:
    return sa.Column("count", sa.BigInteger, nullable=False, server_default="0")


def _key(name: str) -> sa.Column[str]:
    return sa.Column(name, sa.String(32), primary_key=True)


# One row: the generation the live consumers write and the queries read.
projection_generation = sa.Table(
    "projection_generation",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("current", sa.Integer, nullable=False),
)

# A participant as the owners' events last described it: what moves its one count between buckets.
participant_state = sa.Table(
    "participant_state",
    metadata,
    _generation(),
    sa.Column("id", sa.String(32), primary_key=True),
    tenant_id_column(),
    cross_service_ref("event_id"),
    cross_service_ref("participant_type_id"),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("registered_at", sa.DateTime(timezone=True), nullable=True),  # NULL: registration not seen yet
    sa.Column("status_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("progress_version", sa.Integer, nullable=False),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("deleted", sa.Boolean, nullable=False),
    sa.Index(None, "generation", "tenant_id", "event_id"),
)

# Live participants per bucket; ``processing_seconds`` sums registration-to-decision times of decided ones.
participant_count = sa.Table(
    "participant_count",
    metadata,
    _generation(),
    sa.Column("tenant_id", sa.String(32), primary_key=True),
    _key("event_id"),
    _key("participant_type_id"),
    sa.Column("status", sa.Text, primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    _count(),
    sa.Column("processing_seconds", sa.Double, nullable=False, server_default="0"),
)

# Actions and SLA notices per workflow step and hour.
step_activity = sa.Table(
    "step_activity",
    metadata,
    _generation(),
    sa.Column("tenant_id", sa.String(32), primary_key=True),
    _key("event_id"),
    _key("participant_type_id"),
    _key("step_id"),
    sa.Column("hour", sa.DateTime(timezone=True), primary_key=True),
    sa.Column("kind", sa.Text, primary_key=True),
    sa.Column("step_name", sa.Text, nullable=False),
    _count(),
)

# Scans per checkpoint and hour, by movement (admitted in or out) and result.
checkpoint_activity = sa.Table(
    "checkpoint_activity",
    metadata,
    _generation(),
    sa.Column("tenant_id", sa.String(32), primary_key=True),
    _key("event_id"),
    _key("checkpoint_id"),
    sa.Column("hour", sa.DateTime(timezone=True), primary_key=True),
    sa.Column("movement", sa.Text, primary_key=True),  # in, out, or empty: refused
    sa.Column("scan_result", sa.Text, primary_key=True),
    _count(),
)

# Waitlist, delegation, broadcast and webhook outcomes per hour.
usage_activity = sa.Table(
    "usage_activity",
    metadata,
    _generation(),
    sa.Column("tenant_id", sa.String(32), primary_key=True),
    _key("event_id"),
    sa.Column("kind", sa.Text, primary_key=True),
    sa.Column("hour", sa.DateTime(timezone=True), primary_key=True),
    _count(),
)

# Events and workflows: names for the dashboard, totals, and which event's participants went with it.
event_directory = sa.Table(
    "event_directory",
    metadata,
    _generation(),
    sa.Column("id", sa.String(32), primary_key=True),
    tenant_id_column(),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("deleted", sa.Boolean, nullable=False),
    sa.Column("source_updated_at", sa.DateTime(timezone=True), nullable=False),
)

workflow_directory = sa.Table(
    "workflow_directory",
    metadata,
    _generation(),
    sa.Column("id", sa.String(32), primary_key=True),
    tenant_id_column(),
    cross_service_ref("event_id"),
    sa.Column("deleted", sa.Boolean, nullable=False),
    sa.Column("source_updated_at", sa.DateTime(timezone=True), nullable=False),
)

# A rebuild by replay: its progress per stream, readable while it runs.
rebuild_operation = sa.Table(
    "rebuild_operation",
    metadata,
    id_column(),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("generation", sa.Integer, nullable=False),
    sa.Column("events_replayed", sa.BigInteger, nullable=False, server_default="0"),
    jsonb_column("streams", default="[]"),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    sa.Index("ux_rebuild_operation_running", "status", unique=True, postgresql_where=sa.text("status = 'running'")),
)

# One row per hour the snapshot job ran: the replica that inserts it does the hour's work.
snapshot_run = sa.Table(
    "snapshot_run",
    metadata,
    sa.Column("hour", sa.DateTime(timezone=True), primary_key=True),
    created_at(),
)

PROJECTIONS = (
    participant_state,
    participant_count,
    step_activity,
    checkpoint_activity,
    usage_activity,
    event_directory,
    workflow_directory,
)
