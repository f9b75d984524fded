import psycopg
import pytest

from plenary_kit.settings import libpq_url


def test_a_service_role_cannot_read_another_services_schema(service_database_url):
    with psycopg.connect(libpq_url(service_database_url("views"))) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT count(*) FROM identity.feature_flag")


def test_a_service_role_cannot_create_tables_in_another_schema_or_in_public(service_database_url):
    with psycopg.connect(libpq_url(service_database_url("views")), autocommit=True) as conn:
        for schema in ("identity", "public"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"CREATE TABLE {schema}.intruder (id int)")


def test_a_service_role_reads_and_writes_its_own_schema(service_database_url):
    with psycopg.connect(libpq_url(service_database_url("identity"))) as conn:
        assert conn.execute("SELECT count(*) FROM identity.feature_flag").fetchone() == (0,)
