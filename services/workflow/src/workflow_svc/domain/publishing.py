"""What stops a workflow from being published: every problem of its snapshot at once.

Each problem is (step id, message), with no step id for a problem of the whole workflow.
"""

from collections import deque
from collections.abc import Iterator, Mapping
from typing import Any

from plenary_contracts.conditions import condition_problems
from plenary_contracts.enums import StepType
from workflow_svc.domain.snapshot import JOIN_STRATEGIES, JOIN_TIMEOUT_ACTIONS, Snapshot, SnapshotStep

MAX_FORK_PATHS = 5

Problem = tuple[str | None, str]

_FIXED_TARGETS = ("nextStepId", "rejectionTargetId", "bypassTargetId", "escalationTargetId")
_ROUTE_LISTS = ("conditionalRoutes", "rejectionConditionalRoutes")


def publish_problems(
    snapshot: Snapshot, *, parallel_enabled: bool, field_types: Mapping[str, str] | None = None
) -> list[Problem]:
    """``field_types`` (field name → FieldDataType) lets route conditions be checked against the operators
    each field's type allows."""
    steps = snapshot.steps
    if not steps:
        return [(None, "The workflow has no steps")]
    by_id = {s.id: s for s in steps}
    problems: list[Problem] = []

    entries = [s for s in steps if s.is_entry_point]
    if not entries:
        problems.append((None, "The workflow has no entry point"))
    elif len(entries) > 1:
        names = ", ".join(f'"{s.name}"' for s in entries)
        problems.append((None, f"The workflow has {len(entries)} entry points ({names}); it needs exactly one"))
    if not any(s.is_terminal for s in steps):
        problems.append((None, "The workflow has no terminal step"))

    joined = {s.fork.join_step_id for s in steps if s.fork is not None}
    for step in steps:
        problems += [(step.id, m) for m in _step_problems(step, by_id, joined, parallel_enabled, field_types)]

    if entries:
        reached = _reachable(entries, by_id)
        problems += [
            (s.id, f'Step "{s.name}" cannot be reached from the entry point') for s in steps if s.id not in reached
        ]
    return problems


def _step_problems(
    step: SnapshotStep,
    by_id: Mapping[str, SnapshotStep],
    joined: set[str | None],
    parallel_enabled: bool,
    field_types: Mapping[str, str] | None,
) -> Iterator[str]:
    for name, target in zip(_FIXED_TARGETS, _fixed_targets(step), strict=True):
        if target is not None and target not in by_id:
            yield f'{name} "{target}" is not a step of this workflow'
    yield from _route_problems(step, by_id, field_types)
    if step.step_type is StepType.FORK:
        if not parallel_enabled:
            yield "FORK steps need parallel workflows: FF_PARALLEL_WORKFLOWS is off for this tenant"
        yield from _fork_problems(step, by_id)
    elif step.step_type is StepType.JOIN:
        yield from _join_problems(step)
        if step.id not in joined:
            yield "No FORK step joins at this JOIN step"


def _route_problems(
    step: SnapshotStep, by_id: Mapping[str, SnapshotStep], field_types: Mapping[str, str] | None
) -> Iterator[str]:
    config = step.config or {}
    for key in _ROUTE_LISTS:
        raw = config.get(key)
        if raw is None:
            continue
        if not isinstance(raw, list):
            yield f"{key} must be a list of routes"
            continue
        for index, route in enumerate(raw):
            where = f"{key}[{index}]"
            if not isinstance(route, Mapping):
                yield f"{where} must be an object"
                continue
            target = route.get("targetStepId")
            if not target:
                yield f"{where} has no targetStepId"
            elif str(target) not in by_id:
                yield f'{where} targets "{target}", which is not a step of this workflow'
            priority = route.get("priority", 0)
            if not isinstance(priority, int) or isinstance(priority, bool):
                yield f"{where}.priority must be an integer"
            for location, message in condition_problems(route.get("condition"), field_types):
                yield f"{where}.condition{_path(location)} {message}"


def _fork_problems(step: SnapshotStep, by_id: Mapping[str, SnapshotStep]) -> Iterator[str]:
    config = step.config or {}
    raw = config.get("branches")
    if not isinstance(raw, list) or not raw:
        yield "A FORK step needs branches"
    else:
        if len(raw) > MAX_FORK_PATHS:
            yield f"A FORK step has at most {MAX_FORK_PATHS} branches, this one has {len(raw)}"
        seen: set[str] = set()
        for index, branch in enumerate(raw):
            branch_id = branch.get("branchStepId") if isinstance(branch, Mapping) else None
            if not branch_id:
                yield f"branches[{index}] has no branchStepId"
                continue
            branch_id = str(branch_id)
            target = by_id.get(branch_id)
            if branch_id in seen:
                yield f'branches[{index}]: step "{branch_id}" is already a branch of this FORK'
            elif branch_id == step.id:
                yield f"branches[{index}] is the FORK step itself"
            elif target is None:
                yield f'branches[{index}]: "{branch_id}" is not a step of this workflow'
            elif target.step_type in (StepType.FORK, StepType.JOIN):
                yield f'branches[{index}]: step "{target.name}" is a {target.step_type.value}, not a branch step'
            seen.add(branch_id)
    join_id = config.get("joinStepId")
    if not join_id:
        yield "A FORK step needs a joinStepId"
    elif str(join_id) not in by_id:
        yield f'joinStepId "{join_id}" is not a step of this workflow'
    elif by_id[str(join_id)].step_type is not StepType.JOIN:
        yield f'joinStepId "{join_id}" is not a JOIN step'


def _join_problems(step: SnapshotStep) -> Iterator[str]:
    config = step.config or {}
    strategies = ", ".join(JOIN_STRATEGIES)
    strategy = config.get("strategy")
    if strategy is None:
        yield f"A JOIN step needs a strategy: {strategies}"
    elif strategy not in JOIN_STRATEGIES:
        yield f'Join strategy "{strategy}" is not one of {strategies}'
    action = config.get("timeoutAction")
    if action is not None and action not in JOIN_TIMEOUT_ACTIONS:
        yield f'timeoutAction "{action}" is not one of {", ".join(JOIN_TIMEOUT_ACTIONS)}'
    minutes = config.get("timeoutMinutes")
    if minutes is not None and (not isinstance(minutes, int) or isinstance(minutes, bool) or minutes < 1):
        yield "timeoutMinutes must be a whole number of minutes, at least 1"


def _fixed_targets(step: SnapshotStep) -> tuple[str | None, ...]:
    return (step.next_step_id, step.rejection_target_id, step.bypass_target_id, step.escalation_target_id)


def _targets(step: SnapshotStep) -> Iterator[str]:
    """Every step ``step`` can lead to: fixed targets, both route lists, a FORK's branches and its JOIN."""
    yield from (t for t in _fixed_targets(step) if t is not None)
    yield from (r.target_step_id for r in (*step.conditional_routes, *step.rejection_conditional_routes))
    fork = step.fork
    if fork is not None:
        yield from (b.branch_step_id for b in fork.branches)
        if fork.join_step_id is not None:
            yield fork.join_step_id


def _reachable(entries: list[SnapshotStep], by_id: Mapping[str, SnapshotStep]) -> set[str]:
    reached = {s.id for s in entries}
    queue = deque(entries)
    while queue:
        for target in _targets(queue.popleft()):
            if target in by_id and target not in reached:
                reached.add(target)
                queue.append(by_id[target])
    return reached


def _path(location: tuple[Any, ...]) -> str:
    """A condition location as written in JSON, e.g. ``.conditions[1].operator``, then a colon."""
    text = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in location)
    return f"{text}:"
