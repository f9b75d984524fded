"""A copy of an event's workflows into a clone of the event: the rows to write, every reference pointed
at the copies.

Two passes, as the forward references of a workflow demand: the first gives every copied workflow, step,
assignment and rule its new id (derived from the operation and the old id, so a repeated copy plans
the same rows); only then does the second write the references: step targets, the step ids inside
configs (routes, fork branches, the join) and the ids inside conditions, all over the full map, so a
route to a step that comes later in the workflow is pointed at the copy as well as one to a step before.

Rows are plain mappings of column names; the caller adds the tenant and the times.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from plenary_contracts.enums import WorkflowStatus
from plenary_contracts.id_map import derived_id, remap_id, remap_json

Row = Mapping[str, Any]

TARGETS = ("next_step_id", "rejection_target_id", "bypass_target_id", "escalation_target_id")
ROUTE_LISTS = ("conditionalRoutes", "rejectionConditionalRoutes")


@dataclass(frozen=True)
class WorkflowCopy:
    """What to write into the target event, parents before children, and the ids this part adds."""

    additions: dict[str, str] = field(default_factory=dict)
    workflows: list[dict[str, Any]] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    assignments: list[dict[str, Any]] = field(default_factory=list)
    rules: list[dict[str, Any]] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "workflows": len(self.workflows),
            "steps": len(self.steps),
            "assignments": len(self.assignments),
            "rules": len(self.rules),
        }


def plan_copy(
    operation_id: str,
    target_event_id: str,
    id_map: Mapping[str, str],
    workflows: Sequence[Row],
    steps: Sequence[Row],
    assignments: Sequence[Row],
    rules: Sequence[Row],
) -> WorkflowCopy:
    """The copy of ``workflows`` (with their ``steps``, the steps' ``assignments`` and ``rules``) into
    ``target_event_id``; ``id_map`` holds the parts copied before (participant types, field definitions)."""
    # pass 1: every new id, before any reference is written
    additions = {row["id"]: derived_id(operation_id, row["id"]) for row in (*workflows, *steps, *assignments, *rules)}
    merged = {**id_map, **additions}
    copied_steps = {additions[s["id"]] for s in steps}
    # pass 2: the references, over the full map
    return WorkflowCopy(
        additions=additions,
        workflows=[_workflow(w, target_event_id, merged) for w in workflows],
        steps=[_step(s, merged, copied_steps) for s in steps],
        assignments=[_assignment(a, merged) for a in assignments],
        rules=[_rule(r, merged) for r in rules],
    )


def _workflow(row: Row, target_event_id: str, merged: Mapping[str, str]) -> dict[str, Any]:
    return {
        "id": merged[row["id"]],
        "event_id": target_event_id,
        # a type the copy did not bring (participant types not cloned) makes it the event's default
        "participant_type_id": remap_id(row["participant_type_id"], merged),
        "name": row["name"],
        "description": row["description"],
        "status": WorkflowStatus.DRAFT,  # a clone's workflows are published anew, with their own versions
    }


def _step(row: Row, merged: Mapping[str, str], copied_steps: set[str]) -> dict[str, Any]:
    return {
        "id": merged[row["id"]],
        "workflow_id": merged[row["workflow_id"]],
        "name": row["name"],
        "description": row["description"],
        "order": row["order"],
        "step_type": row["step_type"],
        "is_entry_point": row["is_entry_point"],
        "is_terminal": row["is_terminal"],
        **{name: remap_id(row[name], merged) for name in TARGETS},
        "sla_duration_minutes": row["sla_duration_minutes"],
        "sla_action": row["sla_action"],
        "config": remapped_config(row["config"] or {}, merged, copied_steps),
    }


def _assignment(row: Row, merged: Mapping[str, str]) -> dict[str, Any]:
    # the user (and who assigned it) are the tenant's, not the event's: they stay
    return {
        "id": merged[row["id"]],
        "step_id": merged[row["step_id"]],
        "user_id": row["user_id"],
        "strategy": row["strategy"],
        "is_active": row["is_active"],
        "assigned_by": row["assigned_by"],
    }


def _rule(row: Row, merged: Mapping[str, str]) -> dict[str, Any]:
    return {
        "id": merged[row["id"]],
        "step_id": merged[row["step_id"]],
        "name": row["name"],
        "description": row["description"],
        "condition_expression": remap_json(row["condition_expression"], merged),
        "action_type": row["action_type"],
        "priority": row["priority"],
        "is_active": row["is_active"],
        "created_by": row["created_by"],
    }


def remapped_config(config: Mapping[str, Any], merged: Mapping[str, str], copied_steps: set[str]) -> dict[str, Any]:
    """The config with every id inside it (route targets, branches, the join, ids in route conditions)
    pointed at the copies. A step reference that still names no copied step (none should: a config only
    names steps of its workflow) goes, as a deleted step's does: a copy never points back at the source."""
    remapped = remap_json(dict(config), merged)
    for key in ROUTE_LISTS:
        if isinstance(remapped.get(key), list):
            remapped[key] = [r for r in remapped[key] if not _dangling(r, "targetStepId", copied_steps)]
    if isinstance(remapped.get("branches"), list):
        remapped["branches"] = [b for b in remapped["branches"] if not _dangling(b, "branchStepId", copied_steps)]
    if "joinStepId" in remapped and remapped["joinStepId"] not in copied_steps:
        del remapped["joinStepId"]
    return remapped


def _dangling(item: Any, key: str, copied_steps: set[str]) -> bool:
    return isinstance(item, Mapping) and item.get(key) not in copied_steps
