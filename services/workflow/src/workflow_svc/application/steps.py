"""Steps of a workflow: targets and config refer only to steps of the same workflow, route conditions
are valid, and a step a published version uses is never deleted (its approvals refer to it).

Steps created one by one can only name steps that exist, so a chain is built back to front (or
patched after). Steps created with their workflow name each other by a client ``key`` instead, so a
workflow is written front to back in one request.

Every step change locks the workflow row first, so it is serialised with publishing: a version never
freezes a step that a concurrent delete removes.
"""

from collections.abc import Mapping
from typing import Any

from plenary_contracts.catalog import workflow as contract
from plenary_contracts.conditions import condition_problems
from plenary_contracts.errors import Conflict, FieldError, NotFound
from plenary_kit.db import UnitOfWork
from plenary_kit.ids import new_id

from ..adapters import workflow_repository as workflows
from ..adapters.records import Step, Workflow
from .common import Loc, field_error, live_workflow, located, refuse, utcnow

ROUTE_LISTS = ("conditionalRoutes", "rejectionConditionalRoutes")
_TARGET_FIELDS = {name: contract.CreateStep.model_fields[name].alias or name for name in workflows.TARGETS}
_REQUIRED = ("name", "order", "step_type", "is_entry_point", "is_terminal")
_NULLABLE = ("description", *workflows.TARGETS, "sla_duration_minutes", "sla_action")


def stored_config(config: contract.StepConfig | None) -> dict[str, Any]:
    """The config as stored: its wire keys (camelCase), no nulls, and an id on every route."""
    if config is None:
        return {}
    stored = config.model_dump(mode="json", by_alias=True, exclude_none=True)
    for key in ROUTE_LISTS:
        for route in stored.get(key) or []:
            route.setdefault("id", new_id())
    return stored


def config_errors(config: Mapping[str, Any], step_ids: set[str], at: Loc = ("body",)) -> list[FieldError]:
    """Route conditions that do not parse, route ids used twice, and ids that are not steps of the workflow."""
    loc = (*at, "config")
    errors: list[FieldError] = []
    for key in ROUTE_LISTS:
        seen: set[str] = set()
        for index, route in enumerate(config.get(key) or []):
            at = (*loc, key, index)
            errors += located((*at, "condition"), condition_problems(route.get("condition")))
            if route["targetStepId"] not in step_ids:
                errors.append(field_error((*at, "targetStepId"), "is not a step of this workflow"))
            if route["id"] in seen:
                errors.append(field_error((*at, "id"), "another route of this list has this id"))
            seen.add(route["id"])
    for index, branch in enumerate(config.get("branches") or []):
        if branch["branchStepId"] not in step_ids:
            errors.append(field_error((*loc, "branches", index, "branchStepId"), "is not a step of this workflow"))
    if "joinStepId" in config and config["joinStepId"] not in step_ids:
        errors.append(field_error((*loc, "joinStepId"), "is not a step of this workflow"))
    return errors


def target_errors(values: Mapping[str, Any], step_ids: set[str], at: Loc = ("body",)) -> list[FieldError]:
    return [
        field_error((*at, _TARGET_FIELDS[name]), "is not a step of this workflow")
        for name in workflows.TARGETS
        if values.get(name) is not None and values[name] not in step_ids
    ]


def without_step(config: Mapping[str, Any], step_id: str) -> dict[str, Any]:
    """The config with every reference to ``step_id`` gone: its routes, its branch, the join."""
    kept = dict(config)
    for key in ROUTE_LISTS:
        if isinstance(kept.get(key), list):
            kept[key] = [r for r in kept[key] if not (isinstance(r, Mapping) and r.get("targetStepId") == step_id)]
    if isinstance(kept.get("branches"), list):
        kept["branches"] = [
            b for b in kept["branches"] if not (isinstance(b, Mapping) and b.get("branchStepId") == step_id)
        ]
    if kept.get("joinStepId") == step_id:
        del kept["joinStepId"]
    return kept


def with_keys_resolved(values: Mapping[str, Any], ids: Mapping[str, str]) -> dict[str, Any]:
    """Targets and config references that name a ``key`` of the same request, as that step's id."""

    def resolve(value: Any, name: str = "") -> Any:
        if isinstance(value, Mapping):
            return {k: resolve(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [resolve(v, name) for v in value]
        if isinstance(value, str) and name.endswith(("StepId", "TargetId", "_step_id", "_target_id")):
            return ids.get(value, value)
        return value

    return {name: resolve(value, name) for name, value in values.items()}


async def insert_new_steps(uow: UnitOfWork, owner: Workflow, new_steps: list[contract.NewStep], now: Any) -> None:
    """A new workflow's steps, all valid or none: keys are unique, orders too, and every target names
    a key of the request."""
    ids: dict[str, str] = {}
    errors: list[FieldError] = []
    orders: set[int] = set()
    for index, new in enumerate(new_steps):
        at = ("body", "steps", index)
        if new.key is not None and new.key in ids:
            errors.append(field_error((*at, "key"), "another step of this request has this key"))
        if new.order in orders:
            errors.append(field_error((*at, "order"), "another step of this request has this order"))
        orders.add(new.order)
        ids.setdefault(new.key or f"#{index}", new_id())
    rows: list[dict[str, Any]] = []
    step_ids = set(ids.values())
    for index, new in enumerate(new_steps):
        at = ("body", "steps", index)
        own: dict[str, Any] = {name: getattr(new, name) for name in (*_REQUIRED, *_NULLABLE)}
        values = with_keys_resolved(own, ids)
        config = with_keys_resolved(stored_config(new.config), ids)
        errors += [*target_errors(values, step_ids, at), *config_errors(config, step_ids, at)]
        rows.append({"id": ids[new.key or f"#{index}"], "config": config, **values})
    refuse("the steps are not valid", errors)
    common = {"tenant_id": owner.tenant_id, "workflow_id": owner.id, "created_at": now, "updated_at": now}
    created = await workflows.insert_steps(uow.session, [common | values for values in rows])
    for values in rows:
        _announce(uow, contract.STEP_CREATED, created[values["id"]])


def _step_of(workflow_id: str, step_id: str, steps: list[Step]) -> Step:
    found = next((s for s in steps if s.id == step_id), None)
    if found is None:
        raise NotFound(f"step {step_id} not found in workflow {workflow_id}")
    return found


def _announce(uow: UnitOfWork, spec, row: Step) -> contract.Step:  # type: ignore[no-untyped-def]
    changed = workflows.to_step(row)
    uow.publish(spec, contract.StepChanged(step=changed), subject=changed.id)
    return changed


async def create_step(request: contract.CreateStep, uow: UnitOfWork) -> contract.Step:
    owner = await live_workflow(uow, request.workflow_id, for_update=True)
    step_ids = {s.id for s in await workflows.steps_of(uow.session, owner.id)}
    values: dict[str, Any] = {name: getattr(request, name) for name in (*_REQUIRED, *_NULLABLE)}
    config = stored_config(request.config)
    refuse("the step is not valid", [*target_errors(values, step_ids), *config_errors(config, step_ids)])
    now = utcnow()
    created = await workflows.insert_step(
        uow.session,
        id=new_id(),
        tenant_id=owner.tenant_id,
        workflow_id=owner.id,
        config=config,
        created_at=now,
        updated_at=now,
        **values,
    )
    await workflows.touch_workflow(uow.session, owner.id, now)
    return _announce(uow, contract.STEP_CREATED, created)


async def update_step(request: contract.UpdateStep, uow: UnitOfWork) -> contract.Step:
    """A partial update; a given ``config`` replaces the whole config (null empties it)."""
    owner = await live_workflow(uow, request.workflow_id, for_update=True)
    steps = await workflows.steps_of(uow.session, owner.id)
    current = _step_of(owner.id, request.step_id, steps)
    step_ids = {s.id for s in steps}
    values: dict[str, Any] = {name: getattr(request, name) for name in _REQUIRED if getattr(request, name) is not None}
    values |= {name: getattr(request, name) for name in _NULLABLE if name in request.model_fields_set}
    errors = target_errors(values, step_ids)
    if "config" in request.model_fields_set:
        values["config"] = stored_config(request.config)
        errors += config_errors(values["config"], step_ids)
    refuse("the step is not valid", errors)
    if not values:
        return workflows.to_step(current)
    now = utcnow()
    updated = await workflows.update_step(uow.session, current.id, **values, updated_at=now)
    await workflows.touch_workflow(uow.session, owner.id, now)
    return _announce(uow, contract.STEP_UPDATED, updated)


async def delete_step(request: contract.StepRef, uow: UnitOfWork) -> contract.StepRef:
    """Refused while a version uses the step. Other steps stop pointing at it: targets become null and
    config references go, each such step announced as updated."""
    owner = await live_workflow(uow, request.workflow_id, for_update=True)
    steps = await workflows.steps_of(uow.session, owner.id)
    doomed = _step_of(owner.id, request.step_id, steps)
    if await workflows.in_published_version(uow.session, owner.id, doomed.id):
        raise Conflict(
            f"step {doomed.id} is part of a published version; participants and approvals refer to it",
            details={"stepId": doomed.id},
        )
    now = utcnow()
    for other in steps:
        if other.id == doomed.id:
            continue
        changes: dict[str, Any] = {name: None for name in workflows.TARGETS if getattr(other, name) == doomed.id}
        config = without_step(other.config or {}, doomed.id)
        if config != (other.config or {}):
            changes["config"] = config
        if changes:
            _announce(
                uow,
                contract.STEP_UPDATED,
                await workflows.change_step(uow.session, other.id, **changes, updated_at=now),
            )
    await workflows.delete_step(uow.session, doomed.id)
    await workflows.touch_workflow(uow.session, owner.id, now)
    _announce(uow, contract.STEP_DELETED, doomed)
    return contract.StepRef(workflow_id=owner.id, step_id=doomed.id)
