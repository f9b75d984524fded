from plenary_kit.testing.schema import ForeignKey, TableExpectation, assert_schema

EXPECTED = [
    TableExpectation(
        "webhook_subscription",
        {
            "id",
            "tenant_id",
            "url",
            "description",
            "events",
            "secret",
            "status",
            "version",
            "max_retries",
            "retry_backoff_ms",
            "timeout_ms",
            "consecutive_failures",
            "circuit_breaker_open",
            "circuit_breaker_reset_at",
            "headers",
            "metadata",
            "created_by",
            "created_at",
            "updated_at",
        },
        indexes=[("tenant_id", "status")],
    ),
    TableExpectation(
        "webhook_delivery",
        {
            "id",
            "tenant_id",
            "subscription_id",
            "event_type",
            "event_id",
            "payload",
            "status",
            "attempts",
            "max_attempts",
            "next_retry_at",
            "response_code",
            "response_body",
            "response_headers",
            "latency_ms",
            "error_message",
            "error_type",
            "delivered_at",
            "created_at",
            "updated_at",
        },
        # one delivery per (subscription, bus event): a redelivered event is never sent twice
        unique=[("subscription_id", "event_id")],
        indexes=[
            ("subscription_id", "status"),
            ("tenant_id", "event_type", "created_at"),
            ("status", "next_retry_at"),
            ("event_id",),
        ],
        foreign_keys=[ForeignKey(("subscription_id",), "webhook_subscription", "CASCADE")],
    ),
    TableExpectation("outbox", {"id", "subject", "envelope", "created_at", "published_at"}),
    TableExpectation("inbox", {"consumer", "event_id", "received_at"}, unique=[("consumer", "event_id")]),
]


def test_webhooks_schema_has_every_seed_table_unique_key_index_and_foreign_key(service_database_url):
    assert_schema(service_database_url("webhooks"), "webhooks", EXPECTED)
