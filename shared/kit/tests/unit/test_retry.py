from plenary_kit.bus.retry import retry_delay


def test_retry_delay_doubles_from_the_base_and_stops_at_the_cap():
    assert [retry_delay(n, base=1.0, cap=10.0) for n in range(1, 7)] == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]


def test_retry_delay_of_a_first_delivery_is_the_base():
    assert retry_delay(0, base=0.5, cap=60) == 0.5
