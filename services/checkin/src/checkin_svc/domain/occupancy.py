"""Head counts per zone of an event's venue, moved by admitted scans.

A checkpoint with a zone moves that zone's count; one without moves the venue's (zone None). A count never
goes below zero: an exit of someone the count never saw come in (a door left open, a scan missed) leaves it
at zero rather than owing a person. Capacity is informational and never refuses entry; it only colours the
count. Because the floor depends on order, the counts rebuild exactly from the access log only when its
admitted scans are replayed in the order they were applied, which ``rebuild`` does.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from .scanning import Movement

AMBER_FROM = 0.75
RED_ABOVE = 0.90


class Band(StrEnum):
    GREEN = "green"  # under 75 % of capacity
    AMBER = "amber"  # 75 % to 90 %
    RED = "red"  # over 90 %


def band(count: int, capacity: int | None) -> Band | None:
    """The colour of a count against its capacity; None without a capacity."""
    if not capacity:
        return None
    share = count / capacity
    if share > RED_ABOVE:
        return Band.RED
    if share >= AMBER_FROM:
        return Band.AMBER
    return Band.GREEN


def moved(count: int, movement: Movement) -> int:
    return count + 1 if movement is Movement.IN else max(count - 1, 0)


@dataclass(frozen=True)
class Passage:
    """One admitted scan as occupancy sees it."""

    zone_id: str | None
    movement: Movement


def rebuild(passages: Iterable[Passage], counts: dict[str | None, int] | None = None) -> dict[str | None, int]:
    """Every zone's count from the admitted scans, oldest first; from ``counts`` (those of the passages before
    these) when the replay comes in batches."""
    counts = dict(counts or {})
    for passage in passages:
        counts[passage.zone_id] = moved(counts.get(passage.zone_id, 0), passage.movement)
    return counts
