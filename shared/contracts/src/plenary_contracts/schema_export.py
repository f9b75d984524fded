"""JSON Schema of every contract, and the rules that tell an additive change from a breaking one.

``python -m plenary_contracts.schema_export --write`` refreshes the snapshot in ``shared/contracts/schemas``;
a test fails when the code breaks a snapshotted contract, and another when the snapshot is stale.
"""

import argparse
import inspect
import json
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from . import enums, errors, flags, permissions, registry
from .envelope import CloudEvent
from .operations import HealthReply, Reply

SNAPSHOT_DIR = Path(__file__).resolve().parents[2] / "schemas"


def _model(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema(mode="serialization")


def contract_schemas() -> dict[str, dict[str, Any]]:
    schemas: dict[str, dict[str, Any]] = {
        "envelope.cloudevent": _model(CloudEvent),
        "envelope.reply": _model(Reply),
        "envelope.error": _model(errors.ErrorBody),
        "envelope.health": _model(HealthReply),
        "flags.keys": {"enum": [k.value for k in flags.FlagKey]},
        "flags.state": _model(flags.FlagState),
        "permissions": {"enum": [p.code for p in permissions.ALL_PERMISSIONS]},
        "errors.codes": {"enum": [c.value for c in errors.ErrorCode]},
    }
    for name, member in inspect.getmembers(enums, inspect.isclass):
        if issubclass(member, Enum) and member.__module__ == enums.__name__:
            schemas[f"enums.{name}"] = {"enum": [m.value for m in member]}
    for event in registry.EVENTS:
        schemas[f"events.{event.type}"] = {"subject": event.subject, **_model(event.payload)}
    for op in registry.OPERATIONS:
        schemas[f"operations.{op.subject}.request"] = _model(op.request)
        schemas[f"operations.{op.subject}.reply"] = _model(op.reply)
    return schemas


def breaking_changes(old: Any, new: Any, path: str = "$") -> list[str]:
    """What in ``new`` would break a producer or consumer written against ``old``."""
    if not isinstance(old, dict) or not isinstance(new, dict):
        return [] if old == new else [f"{path}: changed from {old!r} to {new!r}"]
    problems: list[str] = []
    if "type" in old and old.get("type") != new.get("type"):
        problems.append(f"{path}: type changed from {old.get('type')} to {new.get('type')}")
    if "enum" in old:
        removed = [v for v in old["enum"] if v not in new.get("enum", [])]
        if removed:
            problems.append(f"{path}: values removed {removed}")
    if "const" in old and old["const"] != new.get("const"):
        problems.append(f"{path}: constant changed")
    if "subject" in old and old["subject"] != new.get("subject"):
        problems.append(f"{path}: subject changed from {old['subject']} to {new.get('subject')}")
    newly_required = set(new.get("required", [])) - set(old.get("required", []))
    if newly_required:
        problems.append(f"{path}: newly required {sorted(newly_required)}")
    for key in ("properties", "$defs"):
        for name, old_child in old.get(key, {}).items():
            if name not in new.get(key, {}):
                problems.append(f"{path}.{name}: removed")
            else:
                problems += breaking_changes(old_child, new[key][name], f"{path}.{name}")
    for key in ("items", "additionalProperties"):
        if isinstance(old.get(key), dict) and isinstance(new.get(key), dict):
            problems += breaking_changes(old[key], new[key], f"{path}[{key}]")
    for key in ("anyOf", "oneOf", "allOf"):
        if key in old and len(old[key]) > len(new.get(key, [])):
            problems.append(f"{path}: {key} lost alternatives")
    return problems


def read_snapshot(directory: Path = SNAPSHOT_DIR) -> dict[str, dict[str, Any]]:
    return {path.stem: json.loads(path.read_text()) for path in sorted(directory.glob("*.json"))}


def write_snapshot(directory: Path = SNAPSHOT_DIR) -> int:
    directory.mkdir(parents=True, exist_ok=True)
    current = contract_schemas()
    for stale in set(read_snapshot(directory)) - set(current):
        (directory / f"{stale}.json").unlink()
    for name, schema in current.items():
        (directory / f"{name}.json").write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n")
    return len(current)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="refresh the snapshot")
    args = parser.parse_args()
    if args.write:
        print(f"wrote {write_snapshot()} contract schemas to {SNAPSHOT_DIR}")
    else:
        print(json.dumps(contract_schemas(), indent=2, sort_keys=True))
