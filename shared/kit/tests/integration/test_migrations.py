import sqlalchemy as sa
from sqlalchemy import pool

from plenary_kit import migrations, provision
from plenary_kit.discovery import load_services
from plenary_kit.settings import async_url
from plenary_kit.testing.servers import settings_for


def _tables(url: str, schema: str) -> set[str]:
    engine = sa.create_engine(async_url(url), poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            return set(sa.inspect(conn).get_table_names(schema=schema))
    finally:
        engine.dispose()


def test_every_service_migrates_up_down_and_up_again_with_no_drift(database_url):
    settings = settings_for(database_url, "nats://unused")
    specs = load_services()
    assert len(specs) == 13
    provision.migrate(settings, specs)
    for spec in specs:
        url = settings.service(spec.name).database_url
        assert {"outbox", "inbox", "idempotency_key"} <= _tables(url, spec.schema), spec.name
    provision.downgrade(settings, specs)
    for spec in specs:
        assert _tables(settings.service(spec.name).database_url, spec.schema) == {"alembic_version"}, spec.name
    provision.migrate(settings, specs)
    for spec in specs:
        url = settings.service(spec.name).database_url
        migrations.check(spec.migrations_dir, url)  # raises on drift between tables and history
        assert spec.metadata.tables.keys() <= {f"{spec.schema}.{t}" for t in _tables(url, spec.schema)}


def test_migrating_twice_changes_nothing(database_url):
    settings = settings_for(database_url, "nats://unused")
    specs = load_services(["identity", "views"])
    first = provision.migrate(settings, specs)
    assert provision.migrate(settings, specs) == first
