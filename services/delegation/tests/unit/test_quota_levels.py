from delegation_svc.domain.quotas import Level, Usage, crossed, resize_problem


def test_a_quota_is_open_below_80_percent_warning_from_80_and_exhausted_when_full():
    assert Usage(7, 10).level is Level.OPEN
    assert Usage(8, 10).level is Level.WARNING
    assert Usage(10, 10).level is Level.EXHAUSTED
    assert Usage(3, 3).free == 0 and Usage(1, 3).free == 2


def test_reaching_80_percent_is_a_warning_crossing_once():
    assert crossed(Usage(7, 10), Usage(8, 10)) == [Level.WARNING]
    assert crossed(Usage(8, 10), Usage(9, 10)) == []  # still above: no second warning


def test_reaching_100_percent_is_exhausted_once():
    assert crossed(Usage(9, 10), Usage(10, 10)) == [Level.EXHAUSTED]
    assert crossed(Usage(10, 10), Usage(10, 10)) == []


def test_a_jump_past_both_thresholds_crosses_both_lowest_first():
    assert crossed(Usage(0, 1), Usage(1, 1)) == [Level.WARNING, Level.EXHAUSTED]


def test_falling_back_below_then_rising_again_is_a_new_crossing():
    assert crossed(Usage(10, 10), Usage(9, 10)) == []
    assert crossed(Usage(9, 10), Usage(10, 10)) == [Level.EXHAUSTED]
    assert crossed(Usage(7, 10), Usage(8, 10)) == [Level.WARNING]


def test_shrinking_a_quota_to_its_count_crosses_into_exhausted():
    assert crossed(Usage(5, 10), Usage(5, 5)) == [Level.WARNING, Level.EXHAUSTED]


def test_a_new_empty_quota_crosses_nothing():
    assert crossed(None, Usage(0, 5)) == []


def test_a_quota_is_never_lowered_below_the_places_in_use():
    assert resize_problem(used=4, new_max=3) is not None
    assert resize_problem(used=4, new_max=4) is None
