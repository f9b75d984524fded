from plenary_kit.testing.schema import TableExpectation, assert_schema

EXPECTED = [
    TableExpectation(
        "audit_entry",
        {"stream", "stream_seq", "tenant_id", "occurred_at", "type", "entity_id", "actor_id", "event_id"},
        unique=[("stream", "stream_seq")],
        indexes=[
            ("tenant_id", "occurred_at", "stream", "stream_seq"),
            ("tenant_id", "entity_id", "occurred_at"),
            ("tenant_id", "actor_id", "occurred_at"),
            ("tenant_id", "type", "occurred_at"),
            ("tenant_id", "event_id"),
        ],
    ),
    TableExpectation("outbox", {"id", "subject", "envelope", "created_at", "published_at"}),
    TableExpectation("inbox", {"consumer", "event_id", "received_at"}, unique=[("consumer", "event_id")]),
]


def test_audit_schema_has_the_index_table_its_key_and_the_query_indexes(service_database_url):
    assert_schema(service_database_url("audit"), "audit", EXPECTED)
