"""analytics's schema: periodic metric snapshots behind the dashboard charts."""

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
