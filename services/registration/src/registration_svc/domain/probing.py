"""Which of a person's blocking keys to look up, pure.

Every exact key (e-mail, passport, phone, Soundex) finds a candidate by itself. Name trigrams serve the
name rule (Levenshtein ≤ 2), and one edit changes at most 3 trigrams, so a name within distance 2 keeps
all but at most 6 of the person's distinct trigrams (the q-gram bound). Looking up only the rarest few,
and asking that all but 6 of those match, finds every such name while reading the fewest postings.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

TRIGRAM = "trigram:"
LOST_PER_DISTANCE_2 = 6
PREFIX = 9  # trigrams looked up; 9 - 6 = 3 of them must match


@dataclass(frozen=True)
class Lookup:
    key: str
    need: int = 1  # for trigrams: how many of the person's looked-up trigrams a candidate must share

    @property
    def trigram(self) -> bool:
        return self.key.startswith(TRIGRAM)


def lookups(keys: Iterable[str], frequency: Mapping[str, int]) -> list[Lookup]:
    """The exact keys, and the ``PREFIX`` rarest trigrams (by ``frequency``; unknown keys are rarest)."""
    keys = set(keys)
    exact = sorted(k for k in keys if not k.startswith(TRIGRAM))
    rarest = sorted((k for k in keys if k.startswith(TRIGRAM)), key=lambda k: (frequency.get(k, 0), k))[:PREFIX]
    need = trigrams_needed(len(rarest))
    return [Lookup(k) for k in exact] + [Lookup(k, need) for k in rarest]


def trigrams_needed(looked_up: int) -> int:
    """Shared trigrams a name within distance 2 must have among ``looked_up`` of the person's (at least one)."""
    return max(1, looked_up - LOST_PER_DISTANCE_2)


def found_by(lookups_: Iterable[Lookup], keys: Iterable[str]) -> bool:
    """Whether a person holding ``keys`` is found by these lookups (what the index query decides)."""
    held = set(keys)
    trigram_hits = 0
    need = 1
    for lookup in lookups_:
        if lookup.key in held:
            if not lookup.trigram:
                return True
            trigram_hits += 1
        if lookup.trigram:
            need = lookup.need
    return trigram_hits > 0 and trigram_hits >= need
