import pytest
from hypothesis import given
from hypothesis import strategies as st
from rapidfuzz.distance import Levenshtein
from registration_svc.domain.screening import (
    MAX_FLAGGED,
    BlacklistEntry,
    Person,
    Risk,
    blacklist_hits,
    blocking_keys,
    combined_score,
    flagged,
    full_name,
    numbers,
    probe_keys,
    risk_of,
    score,
    soundex,
)


def person(first: str = "Ada", last: str = "Lovelace", pid: str | None = "p1", **fields) -> Person:  # type: ignore[no-untyped-def]
    return Person(pid, first, last, **fields)


@pytest.mark.parametrize(
    ("name", "code"),
    [("Robert", "R163"), ("Rupert", "R163"), ("Smith", "S530"), ("Smyth", "S530"), ("A", "A000"), ("Lee", "L000")],
)
def test_soundex_follows_the_american_soundex_examples(name: str, code: str):
    assert soundex(name) == code


def test_soundex_lets_vowels_h_w_and_y_reset_the_previous_code():
    assert soundex("Ashcraft") == "A226"  # standard Soundex says A261: H resets here
    assert soundex("Tymczak") == "T522"


def test_soundex_ignores_everything_but_letters_and_is_empty_without_any():
    assert soundex("o'Brien-2") == soundex("OBrien")
    assert soundex("123") == ""


def test_passport_is_an_exact_match_worth_one_whatever_the_case_and_spaces():
    scored = score(person(passport=" ab123 "), person(first="X", last="Y", pid="p2", passport="AB123"))
    assert scored.score == 1.0 and scored.risk is Risk.BLOCK
    assert [m.field for m in scored.matches] == ["passportNumber"]


def test_email_scores_0_95_and_phone_digits_0_90():
    assert score(person(email="Ada@X.org"), person("Z", "Q", "p2", email="ada@x.org")).score == 0.95
    assert score(person(phone="+44 (20) 7946-0000"), person("Z", "Q", "p2", phone="442079460000")).score == 0.90


def test_a_name_within_two_edits_scores_0_85_and_with_the_same_birth_date_0_90():
    near = score(person("Ada", "Lovelace"), person("Adda", "Lovelase", "p2"))
    assert near.score == 0.85 and near.matches[0].match_type == "levenshtein"
    same = score(person(date_of_birth="1815-12-10"), person(pid="p2", date_of_birth="1815-12-10"))
    assert same.score == 0.90 and same.matches[0].field == "name+dateOfBirth"
    assert same.matches[0].match_type == "exact"


def test_names_further_apart_match_by_soundex_at_0_80():
    scored = score(person("Robert", "Smith"), person("Rupert", "Smyth", "p2"))
    assert Levenshtein.distance("robert smith", "rupert smyth") > 2
    assert scored.score == 0.80 and scored.matches[0].match_type == "soundex"


def test_each_further_match_adds_0_05_up_to_0_15():
    assert combined_score([0.85]) == 0.85
    assert combined_score([0.85, 0.80]) == 0.90
    assert combined_score([0.85, 0.80, 0.80, 0.80, 0.80]) == 1.0
    assert combined_score([0.80, 0.70, 0.70, 0.70, 0.70, 0.70]) == 0.95  # the bonus stops at 0.15
    assert combined_score([]) == 0.0


def test_thresholds_block_at_0_90_and_warn_at_0_70():
    assert (risk_of(0.90), risk_of(0.8999), risk_of(0.70), risk_of(0.6999)) == (
        Risk.BLOCK,
        Risk.WARN,
        Risk.WARN,
        Risk.PASS,
    )


def test_flagged_keeps_warn_or_worse_best_first_and_never_the_person_itself():
    me = person(email="ada@x.org")
    found = flagged(
        me,
        [
            me,
            person("Adda", "Lovelace", "weak"),
            person("Q", "Z", "unrelated"),
            person("Ada", "Lovelace", "strong", email="ada@x.org"),
        ],
    )
    assert [s.candidate_id for s in found] == ["strong", "weak"]
    assert found[0].score == 1.0  # email 0.95 + name 0.85 → 0.95 + 0.05


def test_blacklist_hits_passport_email_and_the_first_close_name_variation():
    entry = BlacklistEntry("b1", name="Someone Else", name_variations=("Adah Lovelace", "Ada Lovelace"), passport="P9")
    hits = blacklist_hits(person(passport="p9"), [entry])
    assert [(h.match_field, h.match_type, h.match_value) for h in hits] == [
        ("passportNumber", "exact", "P9"),
        ("nameVariations", "fuzzy", "Adah Lovelace"),
    ]


def test_blacklist_falls_back_to_the_entry_name_and_ignores_far_names():
    assert [h.match_type for h in blacklist_hits(person(), [BlacklistEntry("b2", name="ada lovelace")])] == ["exact"]
    assert blacklist_hits(person(), [BlacklistEntry("b3", name="Grace Hopper", email="g@h.org")]) == []


def test_blocking_keys_hold_the_normalised_identifiers_and_the_soundex_pair():
    keys = blocking_keys(person(email=" Ada@X.org ", passport="Ab1", phone="+1 (555) 0100"))
    assert {"email:ada@x.org", "passport:ab1", "phone:15550100", "soundex:A300:L142"} <= keys


names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=10)


@given(names, names, st.data())
def test_a_name_within_two_edits_is_found_through_the_blocking_keys(first: str, last: str, data: st.DataObject):
    other = f"{first} {last}"
    for _ in range(data.draw(st.integers(0, 2))):
        at = data.draw(st.integers(0, len(other) - 1))
        other = other[:at] + data.draw(st.sampled_from("abcxyz ")) + other[at + 1 :]
    other_first, _, other_last = other.partition(" ")
    if Levenshtein.distance(f"{first} {last}", full_name(other_first, other_last)) <= 2:
        stored = blocking_keys(Person(None, other_first, other_last))
        assert probe_keys(Person(None, first, last)) & stored


def test_the_same_soundex_pair_is_found_however_far_the_names():
    probing, stored = Person(None, "Robert", "Smith"), Person(None, "Rupert", "Schmidt")
    assert "soundex:R163:S530" in probe_keys(probing) & blocking_keys(stored)


def test_numbered_names_with_other_numbers_are_not_duplicates():
    assert score(person("Test1", "User1"), person("Test2", "User2", "p2")).score == 0.0
    assert score(person("Test1", "User12"), person("Test11", "User2", "p2")).score == 0.0  # same digits, other numbers
    assert score(person("Robert1", "Smith"), person("Rupert2", "Smyth", "p2")).score == 0.0  # not by Soundex either


def test_numbered_names_with_the_same_numbers_follow_the_name_rules():
    assert score(person("Test1", "User1"), person("Test1", "User1", "p2")).score == 0.85
    assert score(person("Test1", "User1"), person("Tst1", "Usr1", "p2")).score == 0.85
    assert score(person("Robert 7", "Smith"), person("Rupert 7", "Smyth", "p2")).score == 0.80


def test_identifiers_still_match_whatever_numbers_the_names_carry():
    scored = score(person("Test1", "User1", email="t@x.org"), person("Test2", "User2", "p2", email="t@x.org"))
    assert scored.score == 0.95 and [m.field for m in scored.matches] == ["email"]


def test_numbers_are_the_runs_of_digits_in_order():
    assert numbers("test12 user3") == ("12", "3") and numbers("ada lovelace") == ()


def test_numbered_names_are_keyed_apart_by_their_numbers():
    first, second = person("Test1", "User1"), person("Test2", "User2", "p2")
    assert not probe_keys(first) & blocking_keys(second)
    assert probe_keys(first) & blocking_keys(person("Test1", "Usr1", "p3"))
    assert "soundex:T230:U260#1,1" in blocking_keys(first)


def test_names_without_numbers_keep_their_keys():
    assert "soundex:A300:L142" in blocking_keys(person()) and "name:12:0:ada " in blocking_keys(person())


def test_flagged_keeps_only_the_best_candidates():
    me = person(email="ada@x.org")
    crowd = [person("Ada", "Lovelace", f"p{n:03d}") for n in range(MAX_FLAGGED + 10)]
    best = person("Ada", "Lovelace", "zz-best", email="ada@x.org")
    found = flagged(me, [*crowd, best])
    assert len(found) == MAX_FLAGGED and found[0].candidate_id == "zz-best"


numbered = st.from_regex(r"[a-z]{1,6}[0-9]{0,3}", fullmatch=True)


@given(numbered, numbered, st.data())
def test_a_numbered_name_within_two_edits_with_the_same_numbers_is_found(first: str, last: str, data: st.DataObject):
    other = f"{first} {last}"
    for _ in range(data.draw(st.integers(0, 2))):
        at = data.draw(st.integers(0, len(other) - 1))
        other = other[:at] + data.draw(st.sampled_from("abc1 ")) + other[at + 1 :]
    other_first, _, other_last = other.partition(" ")
    probing, stored = Person(None, first, last), Person(None, other_first, other_last)
    if score(probing, stored).score >= 0.70:
        assert probe_keys(probing) & blocking_keys(stored)
