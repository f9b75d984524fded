"""The migration that keys numbered names apart and lets an import end CANCELLED: down and up again."""

import sqlalchemy as sa
from registration_svc.bootstrap import SERVICE

from plenary_kit import migrations

BEFORE = "3c1d0e7a9b42"


def _keys(conn: sa.Connection, participant_id: str) -> set[str]:
    rows = conn.execute(
        sa.text("SELECT key FROM registration.blocking_key WHERE participant_id = :id"), {"id": participant_id}
    )
    return {row.key for row in rows}


def test_numbered_names_are_rekeyed_down_and_up_and_a_cancelled_import_goes_down_as_failed(service_database_url):
    url = service_database_url("registration")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO registration.participant (id, tenant_id, event_id, participant_type_id, "
                "registration_code, first_name, last_name, extras) "
                "VALUES ('p1', 't', 'e', 'k', 'R-1', 'Test1', 'User1', '{}'), "
                "('p2', 't', 'e', 'k', 'R-2', 'Ada', 'Lovelace', '{}')"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO registration.blocking_key (participant_id, tenant_id, event_id, key) VALUES "
                "('p1', 't', 'e', 'soundex:T230:U260#1,1'), ('p1', 't', 'e', 'name:#1,1:11:0:tes'), "
                "('p1', 't', 'e', 'email:t@x.org'), ('p2', 't', 'e', 'soundex:A300:L142')"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO registration.bulk_operation (id, tenant_id, event_id, type, status, description, "
                "created_by) VALUES ('b1', 't', 'e', 'IMPORT_PARTICIPANTS', 'CANCELLED', 'x', 'u')"
            )
        )
    try:
        migrations.downgrade(SERVICE.migrations_dir, url, BEFORE)
        with engine.connect() as conn:
            down = _keys(conn, "p1")
            assert "soundex:T230:U260" in down and "email:t@x.org" in down
            assert not any("#" in key for key in down)
            assert _keys(conn, "p2") == {"soundex:A300:L142"}  # a name without numbers is left alone
            assert conn.scalar(sa.text("SELECT status FROM registration.bulk_operation")) == "FAILED"

        migrations.upgrade(SERVICE.migrations_dir, url)
        with engine.connect() as conn:
            up = _keys(conn, "p1")
            assert {"soundex:T230:U260#1,1", "name:#1,1:11:0:tes", "email:t@x.org"} <= up
            assert "soundex:T230:U260" not in up
    finally:
        engine.dispose()
