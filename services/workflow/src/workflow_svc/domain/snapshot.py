"""A published workflow version: the immutable snapshot participants are pinned to.

Navigation reads only the snapshot. Its wire form uses the exported names (sortOrder, isFinalStep,
conditions = the raw config, forkConfig, joinConfig) so exported versions stay comparable.
"""

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from plenary_contracts.enums import StepType

JOIN_STRATEGIES = ("ALL", "ANY", "MAJORITY")
JOIN_TIMEOUT_ACTIONS = ("APPROVE", "REJECT", "ESCALATE")


@dataclass(frozen=True)
class Route:
    id: str
    condition: Mapping[str, Any] | None
    target_step_id: str
    priority: int
    label: str | None = None


@dataclass(frozen=True)
class Branch:
    branch_step_id: str
    label: str | None = None


@dataclass(frozen=True)
class ForkConfig:
    branches: tuple[Branch, ...]
    join_step_id: str | None


@dataclass(frozen=True)
class JoinConfig:
    strategy: str
    timeout_minutes: int | None = None
    timeout_action: str | None = None


@dataclass(frozen=True)
class SnapshotStep:
    id: str
    name: str
    step_type: StepType = StepType.REVIEW
    order: int = 0
    description: str | None = None
    is_entry_point: bool = False
    is_terminal: bool = False
    next_step_id: str | None = None
    rejection_target_id: str | None = None
    bypass_target_id: str | None = None
    escalation_target_id: str | None = None
    sla_duration_minutes: int | None = None
    sla_action: str | None = None
    config: Mapping[str, Any] | None = None

    @property
    def conditional_routes(self) -> tuple[Route, ...]:
        return _routes((self.config or {}).get("conditionalRoutes"))

    @property
    def rejection_conditional_routes(self) -> tuple[Route, ...]:
        return _routes((self.config or {}).get("rejectionConditionalRoutes"))

    @property
    def sla_warning_minutes(self) -> int | None:
        """``config.slaWarningMinutes`` when set, else three quarters of the SLA, so every SLA warns first."""
        if self.sla_duration_minutes is None:
            return None
        configured = (self.config or {}).get("slaWarningMinutes")
        if (
            isinstance(configured, int)
            and not isinstance(configured, bool)
            and 0 < configured < self.sla_duration_minutes
        ):
            return configured
        return max(1, (self.sla_duration_minutes * 3) // 4) if self.sla_duration_minutes > 1 else None

    @property
    def fork(self) -> ForkConfig | None:
        raw = (self.config or {}).get("branches")
        if self.step_type is not StepType.FORK or not isinstance(raw, list):
            return None
        branches = tuple(
            Branch(str(b["branchStepId"]), b.get("label"))
            for b in raw
            if isinstance(b, Mapping) and b.get("branchStepId")
        )
        join = (self.config or {}).get("joinStepId")
        return ForkConfig(branches, str(join) if join else None)

    @property
    def join(self) -> JoinConfig | None:
        config = self.config or {}
        if self.step_type is not StepType.JOIN or not isinstance(config.get("strategy"), str):
            return None
        minutes = config.get("timeoutMinutes")
        return JoinConfig(
            config["strategy"],
            minutes if isinstance(minutes, int) and not isinstance(minutes, bool) and minutes > 0 else None,
            config.get("timeoutAction"),
        )

    def to_json(self) -> dict[str, Any]:
        config = dict(self.config or {})
        data: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "stepType": self.step_type.value,
            "sortOrder": self.order,
            "isEntryPoint": self.is_entry_point,
            "isFinalStep": self.is_terminal,
            "nextStepId": self.next_step_id,
            "rejectionTargetId": self.rejection_target_id,
            "bypassTargetId": self.bypass_target_id,
            "escalationTargetId": self.escalation_target_id,
            "slaDurationMinutes": self.sla_duration_minutes,
            "slaAction": self.sla_action,
            "slaWarningMinutes": self.sla_warning_minutes,
            "assignedRoleId": None,
            "conditions": config,
        }
        for key in ("conditionalRoutes", "rejectionConditionalRoutes"):
            if isinstance(config.get(key), list):
                data[key] = config[key]
        fork = self.fork
        if fork is not None and fork.branches:
            data["forkConfig"] = {
                "branches": [{"branchStepId": b.branch_step_id, "label": b.label} for b in fork.branches],
                "joinStepId": fork.join_step_id,
            }
        join = self.join
        if join is not None:
            data["joinConfig"] = {
                "strategy": join.strategy,
                "timeoutMinutes": join.timeout_minutes,
                "timeoutAction": join.timeout_action,
            }
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "SnapshotStep":
        return cls(
            id=data["id"],
            name=data["name"],
            description=data.get("description"),
            step_type=StepType(data.get("stepType", StepType.REVIEW)),
            order=data.get("sortOrder", 0),
            is_entry_point=bool(data.get("isEntryPoint")),
            is_terminal=bool(data.get("isFinalStep")),
            next_step_id=data.get("nextStepId"),
            rejection_target_id=data.get("rejectionTargetId"),
            bypass_target_id=data.get("bypassTargetId"),
            escalation_target_id=data.get("escalationTargetId"),
            sla_duration_minutes=data.get("slaDurationMinutes"),
            sla_action=data.get("slaAction"),
            config=data.get("conditions") or {},
        )


def _routes(raw: Any) -> tuple[Route, ...]:
    if not isinstance(raw, list):
        return ()
    routes = []
    for index, item in enumerate(raw):
        if not isinstance(item, Mapping) or not item.get("targetStepId"):
            continue
        priority = item.get("priority", 0)
        routes.append(
            Route(
                id=str(item.get("id") or index),
                condition=item.get("condition"),
                target_step_id=str(item["targetStepId"]),
                priority=priority if isinstance(priority, int) and not isinstance(priority, bool) else 0,
                label=item.get("label"),
            )
        )
    return tuple(routes)


@dataclass(frozen=True)
class Snapshot:
    workflow_id: str
    name: str
    steps: tuple[SnapshotStep, ...]

    def step(self, step_id: str | None) -> SnapshotStep | None:
        if step_id is None:
            return None
        return next((s for s in self.steps if s.id == step_id), None)

    @property
    def entry_step(self) -> SnapshotStep | None:
        return next((s for s in self.steps if s.is_entry_point), None)

    def fork_around(self, step_id: str) -> SnapshotStep | None:
        """The FORK whose branches include ``step_id`` or join at it; None for a step outside any fork."""
        for candidate in self.steps:
            fork = candidate.fork
            if fork is not None and (
                fork.join_step_id == step_id or any(b.branch_step_id == step_id for b in fork.branches)
            ):
                return candidate
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "workflowId": self.workflow_id,
            "name": self.name,
            "steps": [s.to_json() for s in sorted(self.steps, key=lambda s: s.order)],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Snapshot":
        return cls(data["workflowId"], data["name"], tuple(SnapshotStep.from_json(s) for s in data["steps"]))

    @property
    def hash(self) -> str:
        return snapshot_hash(self.to_json())


def snapshot_hash(snapshot_json: Mapping[str, Any]) -> str:
    """SHA-256 of the key-sorted snapshot: a new version is made only when this changes."""
    canonical = json.dumps(snapshot_json, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def build_snapshot(workflow_id: str, name: str, steps: Iterable[SnapshotStep]) -> Snapshot:
    return Snapshot(workflow_id, name, tuple(sorted(steps, key=lambda s: s.order)))
