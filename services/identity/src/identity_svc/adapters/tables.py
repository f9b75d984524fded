"""identity's schema: tenants, users, roles, permissions, feature flags, API keys."""

import sqlalchemy as sa

from plenary_contracts.enums import ApiKeyStatus, PermissionAccess, RateLimitTier, RoleScope, UserStatus
from plenary_kit.db import (
    add_messaging_tables,
    created_at,
    cross_service_ref,
    enum_column,
    foreign_key,
    id_column,
    jsonb_column,
    service_metadata,
    text_array,
    updated_at,
)

metadata = service_metadata("identity")
messaging = add_messaging_tables(metadata)

tenant = sa.Table(
    "tenant",
    metadata,
    id_column(),
    sa.Column("name", sa.Text, nullable=False, unique=True),
    sa.Column("slug", sa.Text, nullable=False, unique=True),
    sa.Column("email", sa.Text, nullable=False, unique=True),
    sa.Column("phone", sa.Text, nullable=False),
    sa.Column("subscription_plan", sa.Text, nullable=False, server_default="free"),
    jsonb_column("brand_theme"),
    jsonb_column("feature_flags"),
    jsonb_column("extras", default="{}"),
    created_at(),
    updated_at(),
)

user = sa.Table(
    "user",
    metadata,
    id_column(),
    sa.Column("email", sa.Text, nullable=False, unique=True),
    sa.Column("username", sa.Text, nullable=False, unique=True),
    sa.Column("name", sa.Text),
    enum_column("status", UserStatus, default=UserStatus.ACTIVE),
    foreign_key("tenant_id", "tenant.id", ondelete="CASCADE", nullable=True, index=True),
    sa.Column("deleted_at", sa.DateTime(timezone=True)),
    sa.Column("password_hash", sa.Text),  # argon2id; null for the system user, who never signs in
    sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
    sa.Column("locked_until", sa.DateTime(timezone=True)),
    # Carried by access tokens (``gen``); revoking the user's tokens moves it on, refusing every older one.
    sa.Column("token_generation", sa.Integer, nullable=False, server_default="0"),
    created_at(),
    updated_at(),
)

role = sa.Table(
    "role",
    metadata,
    id_column(),
    foreign_key("tenant_id", "tenant.id", ondelete="CASCADE", nullable=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("description", sa.Text),
    enum_column("scope", RoleScope, default=RoleScope.TENANT),
    created_at(),
    updated_at(),
    sa.UniqueConstraint("tenant_id", "name", postgresql_nulls_not_distinct=True),
)

permission = sa.Table(
    "permission",
    metadata,
    id_column(),
    sa.Column("resource", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("description", sa.Text),
    created_at(),
    updated_at(),
    sa.UniqueConstraint("resource", "action"),
)

role_permission = sa.Table(
    "role_permission",
    metadata,
    id_column(),
    foreign_key("role_id", "role.id", ondelete="CASCADE"),
    foreign_key("permission_id", "permission.id", ondelete="CASCADE", index=True),
    enum_column("access", PermissionAccess, default=PermissionAccess.ANY),
    created_at(),
    sa.UniqueConstraint("role_id", "permission_id"),
)

user_role = sa.Table(
    "user_role",
    metadata,
    id_column(),
    foreign_key("user_id", "user.id", ondelete="CASCADE"),
    foreign_key("role_id", "role.id", ondelete="CASCADE", index=True),
    cross_service_ref("event_id", nullable=True),
    cross_service_ref("step_id", nullable=True),
    created_at(),
    sa.UniqueConstraint("user_id", "role_id", "event_id", "step_id", postgresql_nulls_not_distinct=True),
)

feature_flag = sa.Table(
    "feature_flag",
    metadata,
    id_column(),
    sa.Column("key", sa.Text, nullable=False, unique=True),
    sa.Column("description", sa.Text),
    sa.Column("enabled", sa.Boolean, nullable=False, server_default=sa.false()),
    text_array("enabled_for_tenants"),
    text_array("enabled_for_roles"),
    text_array("enabled_for_users"),
    text_array("disabled_for_tenants"),
    created_at(),
    updated_at(),
)

api_key = sa.Table(
    "api_key",
    metadata,
    id_column(),
    foreign_key("tenant_id", "tenant.id", ondelete="CASCADE"),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("description", sa.Text),
    sa.Column("key_hash", sa.Text, nullable=False, unique=True),
    sa.Column("key_prefix", sa.Text, nullable=False, index=True),
    # a random public id inside the key finds its row directly, no bcrypt check of every key sharing its prefix
    sa.Column("lookup_id", sa.Text, nullable=False, unique=True),
    text_array("permissions"),
    jsonb_column("scopes"),
    enum_column("rate_limit_tier", RateLimitTier, default=RateLimitTier.STANDARD),
    sa.Column("rate_limit_custom", sa.Integer),
    enum_column("status", ApiKeyStatus, default=ApiKeyStatus.ACTIVE),
    sa.Column("expires_at", sa.DateTime(timezone=True)),
    sa.Column("last_used_at", sa.DateTime(timezone=True)),
    sa.Column("last_used_ip", sa.Text),
    sa.Column("usage_count", sa.Integer, nullable=False, server_default="0"),
    text_array("allowed_ips"),
    text_array("allowed_origins"),
    foreign_key("rotated_from_id", "api_key.id", ondelete="SET NULL", nullable=True, unique=True),
    sa.Column("rotation_grace_end", sa.DateTime(timezone=True)),
    sa.Column("created_by", sa.String(32), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
    created_at(),
    updated_at(),
    sa.Index(None, "tenant_id", "status"),
    sa.Index(None, "status", "expires_at"),
)

# A sign-in: the refresh token is "<session id>.<secret>"; only the secret's SHA-256 is kept, and it
# changes on every refresh (``generation`` counts them).
session = sa.Table(
    "session",
    metadata,
    id_column(),
    foreign_key("tenant_id", "tenant.id", ondelete="CASCADE", nullable=True, index=True),
    foreign_key("user_id", "user.id", ondelete="CASCADE", index=True),
    sa.Column("refresh_hash", sa.Text, nullable=False, unique=True),
    sa.Column("generation", sa.Integer, nullable=False, server_default="1"),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
    sa.Column("last_used_at", sa.DateTime(timezone=True)),
    sa.Column("ip", sa.Text),
    sa.Column("user_agent", sa.Text),
    created_at(),
    updated_at(),
)

# Ed25519 keys that sign access tokens; ``id`` is the JWT ``kid``. Retired keys stop appearing in the JWKS.
signing_key = sa.Table(
    "signing_key",
    metadata,
    id_column(),
    sa.Column("private_key_pem", sa.Text, nullable=False),
    jsonb_column("public_jwk", nullable=False),
    created_at(),
    sa.Column("retired_at", sa.DateTime(timezone=True)),
)
