"""The commands a saga sends to every service that holds a part of what it works on.

Two sagas span the platform:

- **Cloning an event** (orchestrated by events): each service that keeps configuration of an event copies
  its part into the target event through ``copy_event_part``, given the id map gathered so far (old id →
  new id, every service's additions before it) and answering with its own additions and per-element
  counts. ``drop_event_part`` is the compensation: it deletes everything of the target event the service
  holds. Both are idempotent: the copies take ids derived from the operation and the old id
  (``id_map.derived_id``), so a repeated copy finds its rows already there and answers the same.
- **Erasing a person** (orchestrated by registration): every service that holds personal data about a
  participant erases or anonymises it through ``erase_person`` and answers with a receipt of what it did
  (counts per table, never the data). Repeating it finds nothing left and answers with zero counts.

These are internal commands: no HTTP route, no permission (the orchestrator checked the caller's when the
saga began, and a saga resumed after a restart has no caller), called with the saga's tenant in context.
"""

from pydantic import Field

from .fields import Id
from .model import Model
from .operations import OperationKind, OperationSpec

# The order in which the clone saga visits the services after events has copied its own part (participant
# types and field definitions, which workflows refer to); the compensation runs the other way.
CLONE_ORDER: tuple[str, ...] = ("workflow", "delegation", "checkin", "views")
# Every service holding personal data about a participant, other than registration (which orchestrates
# and erases its own records last, once every receipt is in). Audit's index holds ids and types only.
ERASE_ORDER: tuple[str, ...] = (
    "workflow",
    "checkin",
    "comms",
    "webhooks",
    "analytics",
    "delegation",
    "custom-objects",
)


class CloneElements(Model):
    """What a clone copies; each element is left out unless asked for."""

    participant_types: bool = False
    field_definitions: bool = False
    workflows: bool = Field(False, description="Workflows (as DRAFT, no versions) with steps, assignments and rules.")
    delegations: bool = Field(False, description="Delegation quotas, with nothing used and no invites.")
    checkpoints: bool = Field(False, description="Checkpoints and zones.")
    views: bool = Field(False, description="Saved views that show the event's lists.")


EVERY_ELEMENT = CloneElements(**dict.fromkeys(CloneElements.model_fields, True))


class CopyEventPart(Model):
    operation_id: Id
    source_event_id: Id
    target_event_id: Id
    target_event_name: str
    elements: CloneElements
    id_map: dict[str, str] = Field(default_factory=dict, description="Old id → new id, from the parts before.")


class CopiedPart(Model):
    id_map: dict[str, str] = Field(default_factory=dict, description="This part's additions only.")
    counts: dict[str, int] = Field(default_factory=dict, description="Rows copied per element, e.g. steps: 9.")


class DropEventPart(Model):
    operation_id: Id
    target_event_id: Id


class DroppedPart(Model):
    counts: dict[str, int] = Field(default_factory=dict)


class ErasePerson(Model):
    erasure_id: Id
    participant_id: Id
    event_id: Id
    email: str | None = Field(None, description="The participant's address, to find what is keyed by it.")


class ErasureReceipt(Model):
    service: str
    erased: dict[str, int] = Field(default_factory=dict, description="Rows deleted per table.")
    anonymised: dict[str, int] = Field(default_factory=dict, description="Rows kept with personal data removed.")


def _internal(service: str, name: str, request: type[Model], reply: type[Model], description: str) -> OperationSpec:
    return OperationSpec(service, name, OperationKind.COMMAND, request, reply, description, timeout_seconds=30.0)


COPY_EVENT_PART: dict[str, OperationSpec] = {
    s: _internal(s, "copy_event_part", CopyEventPart, CopiedPart, f"Copy {s}'s part of an event into a clone.")
    for s in CLONE_ORDER
}
DROP_EVENT_PART: dict[str, OperationSpec] = {
    s: _internal(s, "drop_event_part", DropEventPart, DroppedPart, f"Delete {s}'s part of a clone (compensation).")
    for s in CLONE_ORDER
}
ERASE_PERSON: dict[str, OperationSpec] = {
    s: _internal(s, "erase_person", ErasePerson, ErasureReceipt, f"Erase what {s} holds about a participant.")
    for s in ERASE_ORDER
}

OPERATIONS: list[OperationSpec] = [*COPY_EVENT_PART.values(), *DROP_EVENT_PART.values(), *ERASE_PERSON.values()]
