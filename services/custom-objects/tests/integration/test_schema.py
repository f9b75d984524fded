from plenary_kit.testing.schema import ForeignKey, TableExpectation, assert_schema

EXPECTED = [
    TableExpectation(
        "custom_object_definition",
        {
            "id",
            "tenant_id",
            "name",
            "slug",
            "description",
            "icon",
            "fields",
            "is_active",
            "created_by",
            "created_at",
            "updated_at",
        },
        unique=[("tenant_id", "slug")],
        indexes=[("tenant_id", "is_active")],
    ),
    TableExpectation(
        "custom_object_record",
        {"id", "definition_id", "tenant_id", "data", "created_by", "created_at", "updated_at"},
        indexes=[("definition_id", "created_at", "id"), ("data",), ("tenant_id",)],
        foreign_keys=[ForeignKey(("definition_id",), "custom_object_definition", "CASCADE")],
    ),
    TableExpectation("outbox", {"id", "subject", "envelope", "created_at", "published_at"}),
    TableExpectation("inbox", {"consumer", "event_id", "received_at"}, unique=[("consumer", "event_id")]),
]


def test_custom_objects_schema_has_every_seed_table_unique_key_index_and_foreign_key(service_database_url):
    assert_schema(service_database_url("custom-objects"), "custom_objects", EXPECTED)
