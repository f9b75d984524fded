"""audit's schema: an index of the event streams. The events themselves stay in JetStream; a row says where
one of them sits (stream, sequence) and what a query filters it by."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID

from plenary_kit.db import add_messaging_tables, service_metadata, tenant_id_column

metadata = service_metadata("audit")
messaging = add_messaging_tables(metadata)

audit_entry = sa.Table(
    "audit_entry",
    metadata,
    sa.Column("stream", sa.Text, primary_key=True),
    sa.Column("stream_seq", sa.BigInteger, primary_key=True),
    tenant_id_column(),
    sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),  # the CloudEvent's time
    sa.Column("type", sa.Text, nullable=False),
    sa.Column("entity_id", sa.Text),
    sa.Column("actor_id", sa.Text),
    sa.Column("event_id", UUID(as_uuid=True), nullable=False),
    sa.Index(None, "tenant_id", "occurred_at", "stream", "stream_seq"),
    sa.Index(None, "tenant_id", "entity_id", "occurred_at"),
    sa.Index(None, "tenant_id", "actor_id", "occurred_at"),
    sa.Index(None, "tenant_id", "type", "occurred_at"),
    sa.Index(None, "tenant_id", "event_id"),
)
