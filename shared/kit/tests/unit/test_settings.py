from plenary_kit.settings import Settings


def test_a_service_connects_as_its_own_role_derived_from_the_admin_url():
    settings = Settings(database_url="postgresql://admin:secret@db:5432/plenary", db_role_password="pw")
    url = settings.service("custom-objects").database_url
    assert url == "postgresql://plenary_custom_objects:pw@db:5432/plenary"


def test_a_per_service_url_overrides_the_derived_one(monkeypatch):
    monkeypatch.setenv("PLENARY_CUSTOM_OBJECTS_DATABASE_URL", "postgresql://co:x@other/db")
    monkeypatch.setenv("PLENARY_CUSTOM_OBJECTS_NATS_URL", "nats://elsewhere:4222")
    service = Settings().service("custom-objects")
    assert service.database_url == "postgresql://co:x@other/db"
    assert service.nats_url == "nats://elsewhere:4222"
    assert service.has_own_database_url


def test_the_embedded_servers_listen_on_their_port_settings_and_the_default_urls_follow(monkeypatch):
    for name in ("PLENARY_DATABASE_URL", "PLENARY_NATS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PLENARY_PG_PORT", "25432")
    monkeypatch.setenv("PLENARY_NATS_PORT", "24222")
    settings = Settings()
    assert (settings.pg_port, settings.nats_port) == (25432, 24222)
    assert settings.database_url == "postgresql://postgres:plenary@127.0.0.1:25432/plenary"
    assert settings.nats_url == "nats://127.0.0.1:24222"
    assert settings.embedded_postgres and settings.embedded_nats


def test_a_given_url_is_used_as_it_is_and_no_embedded_server_is_started_for_it(monkeypatch):
    monkeypatch.setenv("PLENARY_PG_PORT", "25432")
    monkeypatch.setenv("PLENARY_DATABASE_URL", "postgresql://admin:x@db:5432/plenary")
    monkeypatch.delenv("PLENARY_NATS_URL", raising=False)
    settings = Settings()
    assert settings.database_url == "postgresql://admin:x@db:5432/plenary"
    assert not settings.embedded_postgres
    assert settings.embedded_nats


def test_without_settings_the_embedded_servers_use_the_documented_ports(monkeypatch):
    for name in ("PLENARY_DATABASE_URL", "PLENARY_NATS_URL", "PLENARY_PG_PORT", "PLENARY_NATS_PORT"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.database_url == "postgresql://postgres:plenary@127.0.0.1:55432/plenary"
    assert settings.nats_url == "nats://127.0.0.1:44222"


def test_a_per_service_override_is_named_after_the_services_schema():
    assert Settings().service("custom-objects").setting_name("HEALTH_PORT") == "PLENARY_CUSTOM_OBJECTS_HEALTH_PORT"
