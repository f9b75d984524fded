from plenary_kit.testing.schema import ForeignKey, TableExpectation, assert_schema

EXPECTED = [
    TableExpectation(
        "tenant",
        {
            "id",
            "name",
            "slug",
            "email",
            "phone",
            "subscription_plan",
            "brand_theme",
            "feature_flags",
            "extras",
            "created_at",
            "updated_at",
        },
        unique=[("name",), ("slug",), ("email",)],
    ),
    TableExpectation(
        "user",
        {"id", "email", "username", "name", "status", "tenant_id", "deleted_at", "created_at", "updated_at"},
        unique=[("email",), ("username",)],
        foreign_keys=[ForeignKey(("tenant_id",), "tenant", "CASCADE")],
    ),
    TableExpectation(
        "role",
        {"id", "tenant_id", "name", "scope", "created_at", "updated_at"},
        unique=[("tenant_id", "name")],
    ),
    TableExpectation("permission", {"id", "resource", "action"}, unique=[("resource", "action")]),
    TableExpectation(
        "role_permission",
        {"id", "role_id", "permission_id", "access"},
        unique=[("role_id", "permission_id")],
        foreign_keys=[
            ForeignKey(("role_id",), "role", "CASCADE"),
            ForeignKey(("permission_id",), "permission", "CASCADE"),
        ],
    ),
    TableExpectation(
        "user_role",
        {"id", "user_id", "role_id", "event_id", "step_id"},
        unique=[("user_id", "role_id", "event_id", "step_id")],
        foreign_keys=[
            ForeignKey(("user_id",), "user", "CASCADE"),
            ForeignKey(("role_id",), "role", "CASCADE"),
        ],
    ),
    TableExpectation(
        "feature_flag",
        {
            "id",
            "key",
            "description",
            "enabled",
            "enabled_for_tenants",
            "enabled_for_roles",
            "enabled_for_users",
            "disabled_for_tenants",
        },
        unique=[("key",)],
    ),
    TableExpectation(
        "api_key",
        {
            "id",
            "tenant_id",
            "name",
            "description",
            "key_hash",
            "key_prefix",
            "lookup_id",
            "permissions",
            "scopes",
            "rate_limit_tier",
            "rate_limit_custom",
            "status",
            "expires_at",
            "last_used_at",
            "last_used_ip",
            "usage_count",
            "allowed_ips",
            "allowed_origins",
            "rotated_from_id",
            "rotation_grace_end",
            "created_by",
            "revoked_at",
            "created_at",
            "updated_at",
        },
        unique=[("key_hash",), ("rotated_from_id",), ("lookup_id",)],
        indexes=[("key_prefix",), ("tenant_id", "status")],
        foreign_keys=[
            ForeignKey(("tenant_id",), "tenant", "CASCADE"),
            ForeignKey(("rotated_from_id",), "api_key", "SET NULL"),
        ],
    ),
    TableExpectation("outbox", {"id", "subject", "envelope", "created_at", "published_at"}),
    TableExpectation("inbox", {"consumer", "event_id", "received_at"}, unique=[("consumer", "event_id")]),
]


def test_identity_schema_has_every_seed_table_unique_key_index_and_foreign_key(service_database_url):
    assert_schema(service_database_url("identity"), "identity", EXPECTED)
