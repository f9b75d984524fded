from plenary_kit.testing.schema import ForeignKey, TableExpectation, assert_schema

EXPECTED = [
    TableExpectation(
        "checkpoint",
        {
            "id",
            "tenant_id",
            "event_id",
            "name",
            "location",
            "type",
            "direction",
            "is_active",
            "capacity",
            "created_at",
            "updated_at",
        },
        unique=[("tenant_id", "event_id", "name")],
        indexes=[("tenant_id", "event_id", "is_active")],
    ),
    TableExpectation(
        "access_log",
        {
            "id",
            "tenant_id",
            "checkpoint_id",
            "participant_id",
            "scan_type",
            "scan_result",
            "qr_payload",
            "scanned_by",
            "device_id",
            "override_reason",
            "scanned_at",
        },
        indexes=[
            ("checkpoint_id", "scanned_at"),
            ("participant_id", "checkpoint_id", "scan_result", "scanned_at"),
            # Every access log query is an event's (list, export, rebuild): the tenant's index leads with the event
            # and ends with the id, so keyset pages are read in index order
            ("tenant_id", "event_id", "scanned_at", "id"),
        ],
        foreign_keys=[ForeignKey(("checkpoint_id",), "checkpoint", "CASCADE")],
    ),
    TableExpectation(
        "venue_occupancy",
        {"id", "tenant_id", "event_id", "zone_id", "current_count", "max_capacity", "last_updated"},
        unique=[("event_id", "zone_id")],
    ),
    TableExpectation(
        "kiosk_device",
        {
            "id",
            "tenant_id",
            "event_id",
            "name",
            "location",
            "is_online",
            "last_heartbeat",
            "language",
            "mode",
            "created_at",
            "updated_at",
        },
        unique=[("tenant_id", "event_id", "name")],
        indexes=[("is_online", "last_heartbeat")],
    ),
    TableExpectation(
        "kiosk_session",
        {
            "id",
            "tenant_id",
            "device_id",
            "participant_id",
            "session_type",
            "language",
            "started_at",
            "ended_at",
            "timed_out",
            "metadata",
        },
        foreign_keys=[ForeignKey(("device_id",), "kiosk_device", "CASCADE")],
    ),
    TableExpectation(
        "queue_ticket",
        {
            "id",
            "tenant_id",
            "event_id",
            "participant_id",
            "ticket_number",
            "ticket_date",
            "counter_number",
            "status",
            "priority",
            "estimated_wait",
            "joined_at",
            "called_at",
            "served_at",
            "completed_at",
        },
        # The daily numbering restarts, so the day is part of the key
        unique=[("tenant_id", "event_id", "ticket_date", "ticket_number")],
        indexes=[("tenant_id", "event_id", "status", "priority", "joined_at")],
    ),
    TableExpectation("outbox", {"id", "subject", "envelope", "created_at", "published_at"}),
    TableExpectation("inbox", {"consumer", "event_id", "received_at"}, unique=[("consumer", "event_id")]),
]


def test_checkin_schema_has_every_seed_table_unique_key_index_and_foreign_key(service_database_url):
    assert_schema(service_database_url("checkin"), "checkin", EXPECTED)
