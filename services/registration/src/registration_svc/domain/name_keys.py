"""Name keys: how every full name within edit distance 2 is found through exact index lookups, pure.

This is Pass-Join's partition scheme (Li, Deng, Wang, Feng; VLDB 2012). A stored name of length L is cut
into 3 segments (distance + 1); two edits leave at least one segment intact, and that segment sits in any
name within distance 2 near its own position. A stored name is indexed under its segments, keyed by L and
the segment's number; a new name looks up, for each length within 2 of its own, only the substrings where
an intact segment can sit (multi-match-aware selection: at most 19 keys, all exact).

Trigrams did this job before and did not scale: a common trigram's postings grow with every participant
who shares a syllable. A segment key is shared only by names of the same length agreeing on a whole third.
"""

from functools import lru_cache

DISTANCE = 2
SEGMENTS = DISTANCE + 1
PREFIX = "name:"


def segments(length: int) -> list[tuple[int, int]]:
    """(start, size) of each segment of a name of ``length`` (≥ ``SEGMENTS``): the longer ones last."""
    short, longer = divmod(length, SEGMENTS)
    sizes = [short] * (SEGMENTS - longer) + [short + 1] * longer
    starts = [sum(sizes[:i]) for i in range(SEGMENTS)]
    return list(zip(starts, sizes, strict=True))


@lru_cache(maxsize=512)
def _windows(name_length: int) -> tuple[tuple[str, int, int, int], ...]:
    """For a name of ``name_length``, what ``looked_up`` reads of it, computed once per length: for each
    stored length within ``DISTANCE`` and each of its segments, the key's prefix, the segment's size and
    the first and last start where the segment can sit (a stored length too short to cut: its key, -1)."""
    windows: list[tuple[str, int, int, int]] = []
    for length in range(max(0, name_length - DISTANCE), name_length + DISTANCE + 1):
        if length < SEGMENTS:
            windows.append((_short_key(length), -1, 0, 0))
            continue
        shift = name_length - length
        for i, (start, size) in enumerate(segments(length)):
            # the segment's edits before it are at most i, after it at most DISTANCE - i: both bound its start
            first = max(start - i, start + shift - (DISTANCE - i), 0)
            last = min(start + i, start + shift + (DISTANCE - i), name_length - size)
            windows.append((f"{PREFIX}{length}:{i}:", size, first, last))
    return tuple(windows)


def _short_key(length: int) -> str:
    # a name too short to cut: every name of that length shares the key (there are few such names)
    return f"{PREFIX}{length}"


def _key(length: int, number: int, segment: str) -> str:
    return f"{PREFIX}{length}:{number}:{segment}"


def indexed(name: str) -> set[str]:
    """The keys a stored name is indexed under."""
    if len(name) < SEGMENTS:
        return {_short_key(len(name))}
    return {_key(len(name), i, name[start : start + size]) for i, (start, size) in enumerate(segments(len(name)))}


def looked_up(name: str) -> set[str]:
    """The keys that find every stored name within ``DISTANCE`` edits of ``name`` (and a few more)."""
    keys: set[str] = set()
    for prefix, size, first, last in _windows(len(name)):
        if size < 0:
            keys.add(prefix)
        else:
            keys.update(prefix + name[at : at + size] for at in range(first, last + 1))
    return keys
