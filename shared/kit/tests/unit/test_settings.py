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
