"""A quota's usage: its level (80 % is a warning, 100 % exhausted), the levels a change crosses upwards
(announced once per crossing: falling back below and rising again announces again), and resizing."""

from dataclasses import dataclass
from enum import IntEnum

WARNING_RATIO = 0.8


class Level(IntEnum):
    OPEN = 0
    WARNING = 1
    EXHAUSTED = 2


@dataclass(frozen=True)
class Usage:
    used: int
    max: int

    @property
    def level(self) -> Level:
        if self.used >= self.max:
            return Level.EXHAUSTED
        if self.used >= WARNING_RATIO * self.max:
            return Level.WARNING
        return Level.OPEN

    @property
    def free(self) -> int:
        return max(self.max - self.used, 0)


def crossed(before: Usage | None, after: Usage) -> list[Level]:
    """The levels ``after`` reached that ``before`` was below, lowest first (a new quota starts from nothing).
    Going from 70 % to 100 % crosses both."""
    start = before.level if before is not None else Level.OPEN
    return [level for level in (Level.WARNING, Level.EXHAUSTED) if start < level <= after.level]


def resize_problem(used: int, new_max: int) -> str | None:
    """A quota is never made smaller than the places its accepted invites hold."""
    if new_max < used:
        return f"{used} places are in use: the quota cannot be lowered below that"
    return None
