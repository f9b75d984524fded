"""Which blocking keys screening looks up: every exact key, and the rarest trigrams with a threshold that
still finds every name within edit distance 2 (the q-gram bound), whatever the key frequencies."""

import random
import string

from rapidfuzz.distance import Levenshtein
from registration_svc.domain.probing import PREFIX, Lookup, found_by, lookups, trigrams_needed
from registration_svc.domain.screening import Person, blocking_keys


def keys(first: str, last: str, **fields: str) -> set[str]:
    return blocking_keys(Person(None, first, last, **fields))


def edited(rng: random.Random, text: str, edits: int) -> str:
    for _ in range(edits):
        at = rng.randrange(len(text) + 1)
        letter = rng.choice(string.ascii_lowercase)
        kind = rng.choice(("insert", "delete", "replace"))
        if kind == "insert":
            text = text[:at] + letter + text[at:]
        elif kind == "delete" and at < len(text):
            text = text[:at] + text[at + 1 :]
        elif at < len(text):
            text = text[:at] + letter + text[at + 1 :]
    return text


def test_every_exact_key_is_looked_up_and_only_the_rarest_trigrams():
    mine = keys("Maximilian", "Oberhausen", email="max@x.org", phone="+41 22 1")
    frequency = {k: 1000 for k in mine if k.startswith("trigram:")} | {"trigram:ober": 0, "trigram:obe": 2}
    chosen = lookups(mine, frequency)
    exact = [c for c in chosen if not c.trigram]
    trigrams = [c for c in chosen if c.trigram]
    assert {c.key for c in exact} == {k for k in mine if not k.startswith("trigram:")}
    assert all(c.need == 1 for c in exact)
    assert len(trigrams) == PREFIX and "trigram:obe" in {c.key for c in trigrams}
    assert {c.need for c in trigrams} == {PREFIX - 6}


def test_a_short_name_needs_one_shared_trigram():
    assert trigrams_needed(4) == 1
    assert trigrams_needed(9) == 3


def test_an_exact_key_alone_finds_a_candidate():
    mine = keys("Ann", "Lee", email="ann@x.org")
    assert found_by(lookups(mine, {}), keys("Zed", "Quist", email="ANN@x.org"))


def test_a_name_sharing_too_few_of_the_looked_up_trigrams_is_not_found():
    mine = keys("Maximilian", "Oberhausen")
    common = keys("Maximilian", "Smith")  # the first name's trigrams are everywhere: the surname's are looked up
    frequency = {k: 1000 if k in common else 1 for k in mine}
    assert not found_by(lookups(mine, frequency), common)
    assert found_by(lookups(mine, frequency), keys("Maximilian", "Oberhaunen"))  # another Soundex: trigrams find it


def test_every_name_within_distance_two_is_found_whatever_the_key_frequencies():
    rng = random.Random(5)
    for _ in range(3000):
        first = "".join(rng.choices(string.ascii_lowercase, k=rng.randint(2, 9)))
        last = "".join(rng.choices(string.ascii_lowercase, k=rng.randint(2, 12)))
        name = f"{first} {last}"
        variant = edited(rng, name, rng.randint(1, 2))
        if " " not in variant.strip() or Levenshtein.distance(name, variant.strip()) > 2:
            continue
        other_first, _, other_last = variant.strip().partition(" ")
        mine = keys(first, last)
        frequency = {k: rng.randint(0, 5000) for k in mine}
        assert found_by(lookups(mine, frequency), keys(other_first, other_last)), (name, variant)


def test_a_lookup_knows_whether_it_is_a_trigram():
    assert Lookup("trigram:abc").trigram and not Lookup("email:a@b.c").trigram
