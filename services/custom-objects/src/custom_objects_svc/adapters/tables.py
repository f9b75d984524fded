"""custom-objects's schema: tenant-defined entity types and their records."""

import sqlalchemy as sa

from plenary_kit.db import (
    add_messaging_tables,
    created_at,
    cross_service_ref,
    foreign_key,
    id_column,
    jsonb_column,
    service_metadata,
    tenant_id_column,
    updated_at,
)

metadata = service_metadata("custom_objects")
messaging = add_messaging_tables(metadata)

custom_object_definition = sa.Table(
    "custom_object_definition",
    metadata,
    id_column(),
    tenant_id_column(),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("slug", sa.Text, nullable=False),
    sa.Column("description", sa.Text),
    sa.Column("icon", sa.Text),
    jsonb_column("fields", default="[]"),
    sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.true()),
    cross_service_ref("created_by", nullable=True),
    created_at(),
    updated_at(),
    sa.UniqueConstraint("tenant_id", "slug"),
    sa.Index(None, "tenant_id", "is_active"),
)

custom_object_record = sa.Table(
    "custom_object_record",
    metadata,
    id_column(),
    foreign_key("definition_id", "custom_object_definition.id", ondelete="CASCADE"),
    tenant_id_column(),
    jsonb_column("data", default="{}"),
    cross_service_ref("created_by", nullable=True),
    created_at(),
    updated_at(),
    sa.Index(None, "tenant_id"),
    # a definition's records newest first and their keyset pages (a definition is one tenant's); the foreign key
    sa.Index("ix_custom_object_record_definition_created", "definition_id", "created_at", "id"),
    # eq / in on an ENUM custom field: the list query translator writes them as data @> '{"key": "value"}'
    sa.Index("ix_custom_object_record_data", "data", postgresql_using="gin", postgresql_ops={"data": "jsonb_path_ops"}),
)
