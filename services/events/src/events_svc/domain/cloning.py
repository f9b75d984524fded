"""The clone saga's decisions, from its persisted state alone: which step comes next, which errors are worth
another try and when, what the operation reports once it is done.

The state is the operation's phase and one step per part. events' own part (``OWN``: participant types and
field definitions) is copied with the target event in the request's transaction, so it starts COPIED; the
other services' parts follow in ``CLONE_ORDER``. A failure turns the phase to COMPENSATING (committed before
anything is dropped): then every part started is dropped in reverse order, the failed one too (its copy may
have committed while its reply was lost), and events' own part and the target event last. A saga resumed
after a crash reads the same state and so goes on the way it was going."""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

OWN = "events"

# phases
COPYING = "COPYING"
COMPENSATING = "COMPENSATING"
DONE = "DONE"

# step statuses
PENDING = "PENDING"  # not asked yet
SKIPPED = "SKIPPED"  # none of its elements asked for
STARTED = "STARTED"  # asked (its copy may have committed): dropped if the saga compensates
COPIED = "COPIED"
FAILED = "FAILED"  # its copy failed: dropped too, in case it committed and only the reply was lost
DROPPED = "DROPPED"

# the elements that make a service's part worth asking for
PART_ELEMENTS: Mapping[str, tuple[str, ...]] = {
    "workflow": ("workflows",),
    "delegation": ("delegations",),
    "checkin": ("checkpoints",),
    "views": ("views",),
}

Steps = Mapping[str, Mapping[str, Any]]


@dataclass(frozen=True)
class CopyPart:
    service: str


@dataclass(frozen=True)
class DropPart:
    service: str


@dataclass(frozen=True)
class Complete:
    """Every part copied: the edition (when asked) and COMPLETED."""


@dataclass(frozen=True)
class DropOwn:
    """Every other part dropped: events' own part and the target event go, then ROLLED_BACK."""


@dataclass(frozen=True)
class Finished:
    """Nothing left to do."""


Action = CopyPart | DropPart | Complete | DropOwn | Finished


def needs_part(service: str, asked: Collection[str]) -> bool:
    """Whether a service's part is worth asking for, given the elements asked for (``workflows``...)."""
    return any(name in asked for name in PART_ELEMENTS.get(service, ()))


def initial_steps(
    order: Sequence[str], asked: Collection[str], own_counts: Mapping[str, int]
) -> dict[str, dict[str, Any]]:
    """The steps of a saga whose own part was just copied: events first, then each part in ``order``."""
    steps: dict[str, dict[str, Any]] = {OWN: {"status": COPIED, "counts": dict(own_counts)}}
    for service in order:
        steps[service] = {"status": PENDING if needs_part(service, asked) else SKIPPED, "counts": {}}
    return steps


def _status(steps: Steps, service: str) -> str:
    return str(steps.get(service, {}).get("status", SKIPPED))


def next_action(phase: str, steps: Steps, order: Sequence[str]) -> Action:
    """What the saga does next, given its committed phase and steps; ``order``: the parts' (``CLONE_ORDER``)."""
    if phase == COPYING:
        for service in order:
            if _status(steps, service) in (PENDING, STARTED):
                return CopyPart(service)
        return Complete()
    if phase == COMPENSATING:
        for service in reversed(order):
            if _status(steps, service) in (STARTED, COPIED, FAILED):
                return DropPart(service)
        return DropOwn()
    return Finished()


def with_step(steps: Steps, service: str, status: str, counts: Mapping[str, int] | None = None) -> dict[str, Any]:
    """The steps with one service's changed (its counts kept unless given)."""
    changed = {name: dict(step) for name, step in steps.items()}
    step = changed.setdefault(service, {"status": status, "counts": {}})
    step["status"] = status
    if counts is not None:
        step["counts"] = dict(counts)
    return changed


def compensating(steps: Steps, failed: str | None) -> dict[str, Any]:
    """The steps once the saga turns back: the part that failed is marked so (it is dropped too)."""
    return with_step(steps, failed, FAILED) if failed is not None else {k: dict(v) for k, v in steps.items()}


def elements_copied(steps: Steps, id_map: Mapping[str, str]) -> dict[str, int]:
    """Rows copied per element over every part, and ``totalMappings`` (every id the clone gave a new one)."""
    total: dict[str, int] = {}
    for step in steps.values():
        if step.get("status") == COPIED:
            for element, count in step.get("counts", {}).items():
                total[element] = total.get(element, 0) + int(count)
    total["totalMappings"] = len(id_map)
    return total


def backoff_seconds(attempt: int, *, base: float = 0.5, cap: float = 10.0) -> float:
    """The wait before try ``attempt + 1`` (``attempt`` ≥ 1): doubling from ``base``, at most ``cap``."""
    return min(cap, base * 2 ** max(0, attempt - 1))


def next_edition_number(taken: list[int]) -> int:
    return max(taken, default=0) + 1
