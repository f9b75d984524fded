"""Name keys (Pass-Join): a stored name's segments, and the few exact keys that find every name within
edit distance 2 of a new one."""

import itertools
import random
import string

from rapidfuzz.distance import Levenshtein
from registration_svc.domain.name_keys import DISTANCE, indexed, looked_up, segments


def found(probing: str, stored: str) -> bool:
    return bool(looked_up(probing) & indexed(stored))


def edited(rng: random.Random, text: str, edits: int) -> str:
    for _ in range(edits):
        at = rng.randrange(len(text) + 1)
        letter = rng.choice(string.ascii_lowercase + " ")
        kind = rng.choice(("insert", "delete", "replace"))
        if kind == "insert":
            text = text[:at] + letter + text[at:]
        elif at < len(text):
            text = text[:at] + (letter if kind == "replace" else "") + text[at + 1 :]
    return text


def test_a_name_is_cut_into_three_segments_the_longer_ones_last():
    assert segments(10) == [(0, 3), (3, 3), (6, 4)]
    assert segments(11) == [(0, 3), (3, 4), (7, 4)]
    assert indexed("john smith") == {"name:10:0:joh", "name:10:1:n s", "name:10:2:mith"}


def test_a_name_shorter_than_three_letters_is_indexed_by_its_length_alone():
    assert indexed("ab") == {"name:2"}
    assert found("abcd", "xy") and not found("abcdef", "xy")


def test_a_name_looks_up_at_most_nineteen_keys():
    assert max(len(looked_up("x" * n)) for n in range(40)) <= 19
    assert len(looked_up("maximilian oberhausen")) <= 19


def test_every_pair_of_short_binary_strings_within_two_edits_is_found():
    strings = ["".join(p) for n in range(9) for p in itertools.product("ab", repeat=n)]
    for probing, stored in itertools.product(strings, repeat=2):
        if abs(len(probing) - len(stored)) <= DISTANCE and Levenshtein.distance(probing, stored) <= DISTANCE:
            assert found(probing, stored), (probing, stored)


def test_every_name_within_two_edits_is_found_both_ways():
    rng = random.Random(5)
    for _ in range(5000):
        name = "".join(rng.choices(string.ascii_lowercase, k=rng.randint(2, 9))) + " "
        name += "".join(rng.choices(string.ascii_lowercase, k=rng.randint(2, 14)))
        variant = edited(rng, name, rng.randint(1, 2))
        if Levenshtein.distance(name, variant) <= DISTANCE:
            assert found(name, variant) and found(variant, name), (name, variant)


def test_a_name_three_edits_away_in_every_segment_is_not_found():
    assert not found("maximilian oberhausen", "naximiliaa oberhauset")  # one edit in each third
