from plenary_kit.testing.schema import ForeignKey, TableExpectation, assert_schema

EXPECTED = [
    TableExpectation(
        "delegation_quota",
        {
            "id",
            "tenant_id",
            "event_id",
            "organization_id",
            "max_participants",
            "used_count",
            "created_at",
            "updated_at",
        },
        unique=[("tenant_id", "event_id", "organization_id")],
        indexes=[("tenant_id", "event_id")],
    ),
    TableExpectation(
        "delegation_invite",
        {
            "id",
            "tenant_id",
            "quota_id",
            "email",
            "token",
            "status",
            "invited_by",
            "accepted_at",
            "expires_at",
            "waitlisted_at",
            "participant_id",
            "place_released_at",
            "created_at",
            "updated_at",
        },
        unique=[("token",)],
        indexes=[("quota_id", "status"), ("token",), ("email",), ("participant_id",), ("quota_id", "waitlisted_at")],
        foreign_keys=[ForeignKey(("quota_id",), "delegation_quota", "CASCADE")],
    ),
    TableExpectation("outbox", {"id", "subject", "envelope", "created_at", "published_at"}),
    TableExpectation("inbox", {"consumer", "event_id", "received_at"}, unique=[("consumer", "event_id")]),
]


def test_delegation_schema_has_every_seed_table_unique_key_index_and_foreign_key(service_database_url):
    assert_schema(service_database_url("delegation"), "delegation", EXPECTED)
