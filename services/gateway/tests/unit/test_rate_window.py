from gateway_svc.domain.rate_window import SLOT_MS, WINDOW_MS, Window, admit

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
    window, _ = admit(Window(), NOW + 2 * SLOT_MS, [5])
    window, _ = admit(window, NOW, [5])
    assert [at for at, _ in window.entries] == [NOW, NOW + 2 * SLOT_MS]


def test_requests_within_one_second_share_one_entry_stamped_with_the_latest():
    window, _ = admit(Window(), NOW + 100, [9])
    window, _ = admit(window, NOW + 900, [9] * 2)
    window, _ = admit(window, NOW + 400, [9])
    assert window.entries == ((NOW + 900, 4),)


def test_a_full_minute_of_steady_traffic_keeps_one_entry_per_second():
    window = Window()
    for at in range(NOW, NOW + 3 * WINDOW_MS, 7):  # one request every 7 ms for three minutes
        window, (verdict,) = admit(window, at, [100_000])
        assert verdict.allowed
    assert len(window.entries) <= WINDOW_MS // SLOT_MS + 1
    assert len(window.pack()) <= 9 + 8 * (WINDOW_MS // SLOT_MS + 1)


def test_a_shared_second_leaves_with_its_latest_request_never_earlier():
    window, _ = admit(Window(), NOW + 100, [2])
    window, _ = admit(window, NOW + 800, [2])
    _, (early,) = admit(window, NOW + 100 + WINDOW_MS, [2])
    _, (refused,) = admit(window, NOW + 800 + WINDOW_MS - 1, [2])
    _, (freed,) = admit(window, NOW + 800 + WINDOW_MS, [2])
    assert not early.allowed and not refused.allowed and refused.retry_after == 1
    assert freed.allowed


def test_retry_after_never_exceeds_the_window():
    window, _ = admit(Window(), NOW + 999, [1])
    _, (refused,) = admit(window, NOW + 999, [1])
    assert refused.retry_after == WINDOW_MS // 1000
