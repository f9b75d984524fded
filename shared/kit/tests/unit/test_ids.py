import re
from collections import Counter

from plenary_kit.ids import LENGTH, new_id

_SHAPE = re.compile(r"^[a-z][0-9a-z]{23}$")


def test_a_row_id_is_a_letter_then_23_base36_digits():
    assert LENGTH == 24
    assert all(_SHAPE.match(new_id()) for _ in range(10_000))


def test_row_ids_do_not_repeat_and_use_every_digit_evenly():
    ids = [new_id() for _ in range(100_000)]
    assert len(set(ids)) == len(ids)
    # the last digit: 36 values, 100,000 draws; each within 15 % of the mean
    counts = Counter(i[-1] for i in ids)
    assert len(counts) == 36
    mean = len(ids) / 36
    assert all(abs(c - mean) < 0.15 * mean for c in counts.values())
    firsts = Counter(i[0] for i in ids)
    assert set(firsts) == set("abcdefghijklmnopqrstuvwxyz")
