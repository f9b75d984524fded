from gateway_svc.domain.rate_window import WINDOW_MS, Window, admit

NOW = 1_700_000_000_000


def _fill(count: int, at: int = NOW) -> Window:
    window, _ = admit(Window(), at, [count] * count)
    return window


def test_a_batch_is_admitted_up_to_the_limit_and_the_rest_refused():
    window, verdicts = admit(Window(), NOW, [3] * 5)
    assert [v.allowed for v in verdicts] == [True, True, True, False, False]
    assert [v.remaining for v in verdicts] == [2, 1, 0, 0, 0]
    assert window.count == 3


def test_refused_requests_are_not_counted():
    full = _fill(3)
    after, verdicts = admit(full, NOW + 10, [3, 3])
    assert not any(v.allowed for v in verdicts)
    assert after.count == 3


def test_requests_leave_the_window_sixty_seconds_later():
    full = _fill(3)
    _, still_full = admit(full, NOW + WINDOW_MS - 1, [3])
    after, freed = admit(full, NOW + WINDOW_MS, [3])
    assert not still_full[0].allowed
    assert freed[0].allowed and after.count == 1


def test_a_refusal_says_how_long_until_the_oldest_request_leaves():
    window, _ = admit(Window(), NOW, [2])
    window, _ = admit(window, NOW + 20_000, [2])
    _, (refused,) = admit(window, NOW + 30_000, [2])
    assert refused.retry_after == 30
    assert refused.reset_at == (NOW + WINDOW_MS) // 1000


def test_retry_after_is_at_least_one_second():
    window = _fill(1)
    _, (refused,) = admit(window, NOW + WINDOW_MS - 1, [1])
    assert refused.retry_after == 1


def test_reset_is_when_the_oldest_counted_request_leaves():
    window, _ = admit(Window(), NOW, [10])
    _, (verdict,) = admit(window, NOW + 5_500, [10])
    assert verdict.reset_at == -(-(NOW + WINDOW_MS) // 1000)


def test_a_lower_limit_after_a_tier_change_refuses_at_once():
    window = _fill(5)
    _, (verdict,) = admit(window, NOW + 1, [3])
    assert not verdict.allowed and verdict.remaining == 0


def test_requests_in_the_same_millisecond_share_one_entry():
    window = _fill(50)
    assert window.entries == ((NOW, 50),)
    assert len(window.pack()) == 9 + 8


def test_the_packed_log_round_trips():
    window, _ = admit(Window(), NOW, [9] * 2)
    window, _ = admit(window, NOW + 1234, [9] * 3)
    assert Window.unpack(window.pack()) == window
    assert Window.unpack(window.pack()).count == 5


def test_an_unreadable_log_counts_as_empty():
    assert Window.unpack(b"garbage").count == 0
    assert Window.unpack(b"").count == 0


def test_a_request_stamped_before_the_newest_entry_keeps_the_log_in_order():
    window, _ = admit(Window(), NOW + 10, [5])
    window, _ = admit(window, NOW + 5, [5])
    assert [at for at, _ in window.entries] == [NOW + 5, NOW + 10]
