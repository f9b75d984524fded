"""Who reviews a participant arriving at a step.

The active assignments of a step, oldest first, decide together: the strategy is the first row's.
MANUAL picks nobody. ROUND_ROBIN walks the rows with a counter the service advances atomically
(a read-modify-write of an index in the step's config would race between reviewers). LEAST_LOADED
picks the smallest live load, the oldest assignment on a tie.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from plenary_contracts.enums import AssignmentStrategy


@dataclass(frozen=True)
class Assignee:
    assignment_id: str
    user_id: str
    strategy: AssignmentStrategy


def strategy_of(assignees: Sequence[Assignee]) -> AssignmentStrategy | None:
    """The first row's strategy (rows in createdAt order); None without assignees."""
    return assignees[0].strategy if assignees else None


def needs_counter(assignees: Sequence[Assignee]) -> bool:
    """Whether the service must advance the step's round-robin counter before picking."""
    return strategy_of(assignees) is AssignmentStrategy.ROUND_ROBIN


def round_robin_index(counter_after_increment: int, count: int) -> int:
    """The counter starts at 0 and each pick increments it first, so the first pick (1) takes row 0.

    So counter c picks row (c - 1) mod n: the rows in order, starting from the oldest.
    """
    if count < 1:
        raise ValueError("round robin needs at least one assignee")
    return (counter_after_increment - 1) % count


def pick_assignee(
    assignees: Sequence[Assignee], *, counter_after_increment: int | None, loads: Mapping[str, int]
) -> Assignee | None:
    """``loads`` maps a user id to its live count of participants waiting at the step (missing = 0)."""
    strategy = strategy_of(assignees)
    if strategy is AssignmentStrategy.ROUND_ROBIN:
        if counter_after_increment is None:
            raise ValueError("a round-robin pick needs the advanced counter")
        return assignees[round_robin_index(counter_after_increment, len(assignees))]
    if strategy is AssignmentStrategy.LEAST_LOADED:
        return min(assignees, key=lambda a: loads.get(a.user_id, 0))  # min keeps the first of equals
    return None
