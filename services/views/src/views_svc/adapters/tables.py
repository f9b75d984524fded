"""views's schema: saved views (filters, sorts, columns and layout of a list, per user or shared) and the
names of their owners, as identity announces its users."""

import sqlalchemy as sa

from plenary_contracts.enums import ViewType
from plenary_kit.db import (
    add_messaging_tables,
    created_at,
    cross_service_ref,
    enum_column,
    id_column,
    jsonb_column,
    service_metadata,
    tenant_id_column,
    updated_at,
)

metadata = service_metadata("views")
messaging = add_messaging_tables(metadata)

saved_view = sa.Table(
    "saved_view",
    metadata,
    id_column(),
    tenant_id_column(),
    # identity's user; set to null on evt.identity.user.deleted (the seed's onDelete SetNull)
    cross_service_ref("user_id", nullable=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("entity_type", sa.Text, nullable=False),
    enum_column("view_type", ViewType, default=ViewType.TABLE),
    jsonb_column("filters", default="[]"),
    jsonb_column("sorts", default="[]"),
    jsonb_column("columns", default="[]"),
    jsonb_column("config", default="{}"),
    sa.Column("is_shared", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("is_default", sa.Boolean, nullable=False, server_default=sa.false()),
    created_at(),
    updated_at(),
    sa.UniqueConstraint("tenant_id", "user_id", "name", "entity_type", postgresql_nulls_not_distinct=True),
    sa.Index(None, "tenant_id", "entity_type"),
    sa.Index(None, "user_id"),
)

# identity's users who own views, from evt.identity.user.*: a view's owner is shown by name
view_owner = sa.Table(
    "view_owner",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    tenant_id_column(nullable=True),  # a global admin has no tenant
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("source_updated_at", sa.DateTime(timezone=True), nullable=False),
)
