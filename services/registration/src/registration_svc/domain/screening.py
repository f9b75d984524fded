"""Duplicate scoring and blacklist screening, pure.

Candidates are found through blocking keys (normalised e-mail, passport, phone digits, Soundex codes,
name segments) that the service indexes, never by scanning every participant; this module says what
the keys of a person are, which keys find its candidates, and how two people score.

Numbers in names tell people apart: ``Test1 User1`` and ``Test2 User2`` are two rows of a trial file,
not one person typed twice (Soundex drops digits, and two digits are only two edits). So the name rules
(within two edits, or the same Soundex codes) apply only to names carrying the same numbers in the same
order; names without any number score exactly as before. The name keys of a numbered name are kept
apart by its numbers, so numbered names never crowd each other's keys.

Screening stays bounded whatever the data: a registration looks at ``POSTINGS_PER_KEY`` participants
per key at most (a key held by more, e.g. thousands of people named alike, is a crowd, not a lead) and
keeps its ``MAX_FLAGGED`` best candidates.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from . import name_keys

BLOCK_AT = 0.90
WARN_AT = 0.70
POSTINGS_PER_KEY = 100
MAX_FLAGGED = 25
_BONUS_STEP, _BONUS_CAP = 0.05, 0.15

_SOUNDEX_CODES = {
    **dict.fromkeys("BFPV", "1"),
    **dict.fromkeys("CGJKQSXZ", "2"),
    **dict.fromkeys("DT", "3"),
    "L": "4",
    **dict.fromkeys("MN", "5"),
    "R": "6",
}


class Risk(StrEnum):
    PASS = "PASS"
    WARN = "WARN"
    BLOCK = "BLOCK"


@dataclass(frozen=True)
class Person:
    """What screening reads of a participant (passport, phone and date of birth come from extras)."""

    id: str | None
    first_name: str
    last_name: str
    email: str | None = None
    passport: str | None = None
    phone: str | None = None
    date_of_birth: str | None = None


@dataclass(frozen=True)
class FieldMatch:
    field: str
    source_value: str
    match_value: str
    score: float
    match_type: str


@dataclass(frozen=True)
class Scored:
    candidate_id: str | None
    score: float
    matches: tuple[FieldMatch, ...] = field(default_factory=tuple)

    @property
    def risk(self) -> Risk:
        return risk_of(self.score)


@lru_cache(maxsize=1 << 16)  # scoring asks for the same few names' codes again and again
def soundex(name: str) -> str:
    """This variant lets vowels, H, W and Y reset the previous code. Robert → R163, Smith → S530."""
    letters = [c for c in name.upper() if "A" <= c <= "Z"]
    if not letters:
        return ""
    code, previous = letters[0], _SOUNDEX_CODES.get(letters[0], "")
    for letter in letters[1:]:
        digit = _SOUNDEX_CODES.get(letter, "")
        if digit and digit != previous:
            code += digit
        previous = digit
    return (code + "000")[:4]


def full_name(first: str, last: str) -> str:
    return f"{first} {last}".strip().lower()


def normal_email(email: str | None) -> str | None:
    return email.strip().lower() or None if email else None


def normal_passport(passport: str | None) -> str | None:
    return passport.strip().lower() or None if passport else None


def phone_digits(phone: str | None) -> str | None:
    return re.sub(r"\D", "", phone) or None if phone else None


_NUMBER = re.compile(r"\d+")


def numbers(name: str) -> tuple[str, ...]:
    """The runs of digits in a name, in order: ``test12 user3`` → ("12", "3")."""
    return tuple(_NUMBER.findall(name))


def _numbered(person: Person) -> str:
    """What the name keys of a numbered name carry, so they hold only names with the same numbers."""
    found = numbers(full_name(person.first_name, person.last_name))
    return "#" + ",".join(found) if found else ""


def _name_keys(person: Person, keys: set[str]) -> set[str]:
    tag = _numbered(person)
    if not tag:
        return keys
    return {name_keys.PREFIX + tag + ":" + key.removeprefix(name_keys.PREFIX) for key in keys}


def _exact_keys(person: Person) -> set[str]:
    keys = set()
    first, last = soundex(person.first_name), soundex(person.last_name)
    if first and last:
        keys.add(f"soundex:{first}:{last}{_numbered(person)}")
    for kind, value in (
        ("email", normal_email(person.email)),
        ("passport", normal_passport(person.passport)),
        ("phone", phone_digits(person.phone)),
    ):
        if value:
            keys.add(f"{kind}:{value}")
    return keys


def blocking_keys(person: Person) -> set[str]:
    """The index keys under which a person can be found as someone's candidate."""
    return _exact_keys(person) | _name_keys(person, name_keys.indexed(full_name(person.first_name, person.last_name)))


def probe_keys(person: Person) -> set[str]:
    """The keys that find every stored person who can score at least WARN against ``person``: the same
    identifiers and Soundex pair, and the name keys of every name within 2 edits (with the same numbers)."""
    name = full_name(person.first_name, person.last_name)
    return _exact_keys(person) | _name_keys(person, name_keys.looked_up(name))


def score(person: Person, other: Person) -> Scored:
    """Exact identifiers, then names (only when they carry the same numbers), then the best score plus a
    bonus per further match (capped)."""
    matches: list[FieldMatch] = []
    for kind, value, other_value, weight in (
        ("passportNumber", normal_passport(person.passport), normal_passport(other.passport), 1.0),
        ("email", normal_email(person.email), normal_email(other.email), 0.95),
        ("phone", phone_digits(person.phone), phone_digits(other.phone), 0.90),
    ):
        if value and value == other_value:
            matches.append(FieldMatch(kind, value, other_value, weight, "exact"))
    name, other_name = full_name(person.first_name, person.last_name), full_name(other.first_name, other.last_name)
    if numbers(name) != numbers(other_name):
        return Scored(other.id, combined_score(m.score for m in matches), tuple(matches))
    distance = Levenshtein.distance(name, other_name)
    if distance <= name_keys.DISTANCE:
        kind = "exact" if distance == 0 else "levenshtein"
        if person.date_of_birth and other.date_of_birth and person.date_of_birth == other.date_of_birth:
            matches.append(FieldMatch("name+dateOfBirth", name, other_name, 0.90, kind))
        else:
            matches.append(FieldMatch("name", name, other_name, 0.85, kind))
    elif (
        soundex(person.first_name)
        and soundex(person.first_name) == soundex(other.first_name)
        and soundex(person.last_name) == soundex(other.last_name)
    ):
        matches.append(FieldMatch("name", name, other_name, 0.80, "soundex"))
    return Scored(other.id, combined_score(m.score for m in matches), tuple(matches))


def combined_score(scores: Iterable[float]) -> float:
    found = list(scores)
    if not found:
        return 0.0
    bonus = min(_BONUS_STEP * (len(found) - 1), _BONUS_CAP)
    return round(min(1.0, max(found) + bonus), 4)


def risk_of(value: float) -> Risk:
    if value >= BLOCK_AT:
        return Risk.BLOCK
    if value >= WARN_AT:
        return Risk.WARN
    return Risk.PASS


def flagged(person: Person, candidates: Sequence[Person]) -> list[Scored]:
    """The ``MAX_FLAGGED`` best candidates scoring at least WARN, best first; the person itself is never
    its own duplicate."""
    scored = [score(person, c) for c in candidates if c.id is None or c.id != person.id]
    kept = sorted((s for s in scored if s.score >= WARN_AT), key=lambda s: (-s.score, s.candidate_id or ""))
    return kept[:MAX_FLAGGED]


@dataclass(frozen=True)
class BlacklistEntry:
    id: str
    name: str | None = None
    name_variations: tuple[str, ...] = ()
    passport: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class BlacklistHit:
    blacklist_id: str
    match_type: str
    match_field: str
    match_value: str


def blacklist_hits(person: Person, entries: Iterable[BlacklistEntry]) -> list[BlacklistHit]:
    """Passport and e-mail exact; the full name within distance 2 of a variation (first hit), else of the name."""
    hits: list[BlacklistHit] = []
    name = full_name(person.first_name, person.last_name)
    for entry in entries:
        passport = normal_passport(person.passport)
        if passport and passport == normal_passport(entry.passport):
            hits.append(BlacklistHit(entry.id, "exact", "passportNumber", entry.passport or ""))
        email = normal_email(person.email)
        if email and email == normal_email(entry.email):
            hits.append(BlacklistHit(entry.id, "exact", "email", entry.email or ""))
        name_hit = _name_hit(entry.id, name, entry.name_variations, "nameVariations")
        if name_hit is None and entry.name:
            name_hit = _name_hit(entry.id, name, (entry.name,), "name")
        if name_hit is not None:
            hits.append(name_hit)
    return hits


def _name_hit(entry_id: str, name: str, candidates: Iterable[str], match_field: str) -> BlacklistHit | None:
    for candidate in candidates:
        distance = Levenshtein.distance(name, candidate.strip().lower())
        if distance <= name_keys.DISTANCE:
            return BlacklistHit(entry_id, "exact" if distance == 0 else "fuzzy", match_field, candidate)
    return None
