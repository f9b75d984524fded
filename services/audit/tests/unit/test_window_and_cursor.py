from datetime import UTC, datetime, timedelta

from audit_svc.domain.window import MAX_SPAN, Position, Window, decode_cursor, encode_cursor, window

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


def test_no_window_given_is_the_last_day_until_now():
    assert window(None, None, NOW) == Window(NOW - timedelta(hours=24), NOW)


def test_from_alone_runs_until_now_and_to_alone_starts_a_day_before():
    start = NOW - timedelta(days=3)
    assert window(start, None, NOW) == Window(start, NOW)
    assert window(None, start, NOW) == Window(start - timedelta(hours=24), start)


def test_a_window_that_ends_before_it_starts_is_refused_on_from():
    assert window(NOW, NOW - timedelta(seconds=1), NOW) == ("from", "must be before `to`")
    assert window(NOW, NOW, NOW)[0] == "from"


def test_a_window_wider_than_the_maximum_is_refused_and_the_maximum_itself_is_fine():
    assert window(NOW - MAX_SPAN - timedelta(seconds=1), NOW, NOW)[0] == "from"
    assert window(NOW - MAX_SPAN, NOW, NOW) == Window(NOW - MAX_SPAN, NOW)


def test_a_cursor_gives_back_the_position_it_was_made_from():
    position = Position(NOW, "EVT_WORKFLOW", 42)
    assert decode_cursor(encode_cursor(position)) == position


def test_text_that_is_not_a_cursor_of_the_log_decodes_to_none():
    naive = encode_cursor(Position(datetime(2026, 1, 1), "EVT_X", 1))
    for text in ("", "%%%", "bm90IGEgY3Vyc29y", naive, encode_cursor(Position(NOW, "EVT_X", 0))):
        assert decode_cursor(text) is None
