from datetime import UTC, datetime, timedelta

from audit_svc.adapters.entry_repository import page_query
from audit_svc.domain.filters import LogFilter
from audit_svc.domain.window import Position, Window
from sqlalchemy.dialects import postgresql

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)
DAY = Window(NOW - timedelta(days=1), NOW)


def sql(terms: LogFilter) -> str:
    return str(page_query(terms, 101).compile(dialect=postgresql.dialect())).replace("\n", " ")


def test_the_query_is_always_bounded_by_the_tenant_and_the_window():
    text = sql(LogFilter("t1", DAY))
    assert "audit.audit_entry.tenant_id = %(tenant_id_1)s" in text
    assert "occurred_at >= " in text and "occurred_at < " in text
    assert "entity_id" not in text.split("WHERE")[1] and " IN " not in text


def test_newest_first_orders_by_time_stream_and_sequence_descending():
    text = sql(LogFilter("t1", DAY))
    assert (
        "ORDER BY audit.audit_entry.occurred_at DESC, audit.audit_entry.stream DESC, "
        "audit.audit_entry.stream_seq DESC" in text
    )


def test_each_filter_given_adds_its_condition():
    text = sql(LogFilter("t1", DAY, types=("a.v1", "b.v1"), entity_id="p1", actor_id="u1"))
    assert "audit.audit_entry.type IN (" in text
    assert "audit.audit_entry.entity_id = " in text and "audit.audit_entry.actor_id = " in text


def test_a_cursor_continues_after_its_position_in_the_pages_direction():
    after = Position(NOW, "EVT_X", 7)
    newest = sql(LogFilter("t1", DAY, after=after))
    oldest = sql(LogFilter("t1", DAY, newest_first=False, after=after))
    assert "(audit.audit_entry.occurred_at, audit.audit_entry.stream, audit.audit_entry.stream_seq) < (" in newest
    assert "(audit.audit_entry.occurred_at, audit.audit_entry.stream, audit.audit_entry.stream_seq) > (" in oldest
    assert "ORDER BY audit.audit_entry.occurred_at, audit.audit_entry.stream, audit.audit_entry.stream_seq" in oldest
