from plenary_kit.testing.schema import TableExpectation, assert_schema

EXPECTED = [
    TableExpectation(
        "saved_view",
        {
            "id",
            "tenant_id",
            "user_id",
            "name",
            "entity_type",
            "view_type",
            "filters",
            "sorts",
            "columns",
            "config",
            "is_shared",
            "is_default",
            "created_at",
            "updated_at",
        },
        unique=[("tenant_id", "user_id", "name", "entity_type")],
        indexes=[("tenant_id", "entity_type"), ("user_id",)],
    ),
    TableExpectation("view_owner", {"id", "tenant_id", "name", "source_updated_at"}),
    TableExpectation("outbox", {"id", "subject", "envelope", "created_at", "published_at"}),
    TableExpectation("inbox", {"consumer", "event_id", "received_at"}, unique=[("consumer", "event_id")]),
]


def test_views_schema_has_every_seed_table_unique_key_index_and_foreign_key(service_database_url):
    assert_schema(service_database_url("views"), "views", EXPECTED)
