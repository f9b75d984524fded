from plenary_kit.testing.schema import TableExpectation, assert_schema

EXPECTED = [
    TableExpectation(
        "analytics_snapshot",
        {"id", "tenant_id", "event_id", "metric", "value", "dimensions", "period", "timestamp", "created_at"},
        indexes=[("tenant_id", "metric", "period"), ("tenant_id", "event_id", "metric"), ("timestamp",)],
    ),
    TableExpectation("outbox", {"id", "subject", "envelope", "created_at", "published_at"}),
    TableExpectation("inbox", {"consumer", "event_id", "received_at"}, unique=[("consumer", "event_id")]),
]


def test_analytics_schema_has_every_seed_table_unique_key_index_and_foreign_key(service_database_url):
    assert_schema(service_database_url("analytics"), "analytics", EXPECTED)
