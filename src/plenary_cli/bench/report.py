"""Figures, their goals and their ratio to the raw limit they ride on; rendered as a text line or a JSON line.

Pure: no I/O, so the way a figure is judged and printed is unit-tested.
"""

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Direction = Literal[">=", "<", "<="]


@dataclass(frozen=True)
class Goal:
    direction: Direction
    target: float

    def met_by(self, value: float) -> bool:
        if math.isnan(value):
            return False
        if self.direction == ">=":
            return value >= self.target
        if self.direction == "<":
            return value < self.target
        return value <= self.target

    def __str__(self) -> str:
        return f"{self.direction} {number(self.target)}"


def at_least(target: float) -> Goal:
    return Goal(">=", target)


def below(target: float) -> Goal:
    return Goal("<", target)


def at_most(target: float) -> Goal:
    return Goal("<=", target)


@dataclass(frozen=True)
class Figure:
    """One measured value. ``limit`` names the raw figure (a ``limits.*`` metric) this one rides on."""

    area: str
    metric: str
    value: float
    unit: str
    goal: Goal | None = None
    limit: str | None = None

    def met(self) -> bool | None:
        return None if self.goal is None else self.goal.met_by(self.value)


def ratio(value: float, limit: float | None) -> float | None:
    """``value`` as a multiple of its raw limit: a fraction of a rate, a multiple of a raw latency."""
    if limit is None or limit == 0 or math.isnan(limit) or math.isnan(value):
        return None
    return value / limit


def number(value: float) -> str:
    """A figure as people read it: thousands grouped, about three significant digits."""
    if math.isnan(value):
        return "n/a"
    if value == int(value) and abs(value) >= 1:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def _rounded(value: float | None) -> float | None:
    if value is None or math.isnan(value):
        return None
    return float(f"{value:.6g}")


def to_json(figure: Figure, limits: Mapping[str, float]) -> str:
    """One JSON object: area, metric, value, unit, goal (direction and target, or null), met, limit, ratio."""
    limit_value = limits.get(figure.limit) if figure.limit else None
    return json.dumps(
        {
            "area": figure.area,
            "metric": figure.metric,
            "value": _rounded(figure.value),
            "unit": figure.unit,
            "goal": None if figure.goal is None else {"direction": figure.goal.direction, "value": figure.goal.target},
            "met": figure.met(),
            "limit": None if figure.limit is None else {"metric": figure.limit, "value": _rounded(limit_value)},
            "ratio": _rounded(ratio(figure.value, limit_value)),
        }
    )


def to_text(figure: Figure, limits: Mapping[str, float]) -> str:
    """``metric  value unit  goal  met/NOT MET  ratio to limit``, aligned in columns."""
    met = figure.met()
    verdict = "" if met is None else ("met" if met else "NOT MET")
    goal = f"goal {figure.goal}" if figure.goal else ""
    against = ""
    if figure.limit:
        limit_value = limits.get(figure.limit)
        found = ratio(figure.value, limit_value)
        if found is None:
            against = f"ratio n/a ({figure.limit} not measured)"
        else:
            against = f"ratio {found:.3g} to {figure.limit} ({number(limit_value)})"  # type: ignore[arg-type]
    return (
        f"  {figure.metric:<48} {number(figure.value):>10} {figure.unit:<16} {goal:<14} {verdict:<8} {against}".rstrip()
    )


def summary(figures: list[Figure], limits: Mapping[str, float], failed: list[str]) -> list[str]:
    """The table printed at the end of a run: every figure that has a goal, with its verdict, then the raw
    limits measured in the same run, then the count of goals met and the areas that failed."""
    judged = [figure for figure in figures if figure.goal is not None]
    width = max((len(figure.metric) for figure in judged), default=6)
    lines = [f"  {'metric':<{width}} {'value':>10} {'unit':<16} {'goal':<14} verdict"]
    for figure in judged:
        verdict = "met" if figure.met() else "NOT MET"
        lines.append(
            f"  {figure.metric:<{width}} {number(figure.value):>10} {figure.unit:<16} {figure.goal!s:<14} {verdict}"
        )
    raw = [figure for figure in figures if figure.area == "limits"]
    if raw:
        lines.append("  raw limits of this run:")
        lines += [f"    {figure.metric:<{width - 2}} {number(figure.value):>10} {figure.unit}" for figure in raw]
    met = sum(1 for figure in judged if figure.met())
    lines.append(f"  goals met: {met} of {len(judged)}" + (f"; areas failed: {', '.join(failed)}" if failed else ""))
    return lines
