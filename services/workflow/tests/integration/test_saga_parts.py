"""workflow's parts of the sagas over the bus: copying an event's workflows into its clone (every reference
pointed inside the clone), undoing that copy, and erasing a person from everything workflow holds."""

import json

import sqlalchemy as sa
from workflow_svc.adapters.tables import (
    auto_action_rule,
    messaging,
    participant,
    step,
    step_assignment,
    workflow_version,
)
from workflow_svc.adapters.tables import workflow as workflow_table

from plenary_contracts.catalog import workflow as contract
from plenary_contracts.enums import ApprovalAction
from plenary_contracts.flags import FlagKey
from plenary_contracts.saga_parts import (
    COPY_EVENT_PART,
    DROP_EVENT_PART,
    ERASE_PERSON,
    CopiedPart,
    DroppedPart,
    ErasureReceipt,
)
from plenary_kit.testing.plugin import eventually
from plenary_kit.testing.schema import rows_holding

from .conftest import EVENT, OTHER_TENANT, PARTICIPANT_TYPE

COPY, DROP, ERASE = COPY_EVENT_PART["workflow"], DROP_EVENT_PART["workflow"], ERASE_PERSON["workflow"]
CLONE = "event-clone"
CLONE_TYPE = "type-clone"
DELEGATES = {"type": "simple", "field": "participantTypeId", "operator": "eq", "value": PARTICIPANT_TYPE}

# Screening routes delegates straight to the fork, which comes later: a forward reference in a config, as
# are the fork's branches and join; the join and the review point back.
FORKED = [
    {
        "key": "screening",
        "isEntryPoint": True,
        "nextStepId": "review",
        "config": {"conditionalRoutes": [{"condition": DELEGATES, "targetStepId": "checks", "label": "delegates"}]},
    },
    {"key": "review", "nextStepId": "checks", "rejectionTargetId": "screening", "escalationTargetId": "badge"},
    {
        "key": "checks",
        "stepType": "FORK",
        "config": {"branches": [{"branchStepId": "security"}, {"branchStepId": "protocol"}], "joinStepId": "joined"},
    },
    {"key": "security"},
    {"key": "protocol"},
    {
        "key": "joined",
        "stepType": "JOIN",
        "nextStepId": "badge",
        "rejectionTargetId": "review",
        "config": {"strategy": "ALL"},
    },
    {"key": "badge", "isTerminal": True},
]
SOURCE_FLAGS = (FlagKey.PARALLEL_WORKFLOWS, FlagKey.CONDITIONAL_ROUTING, FlagKey.STEP_ASSIGNMENT, FlagKey.AUTO_ACTIONS)
SOURCE_COUNTS = {"workflows": 1, "steps": 7, "assignments": 1, "rules": 1}


def _copy(operation_id: str = "op-1", source: str = EVENT, **elements: bool) -> dict:
    return {
        "operationId": operation_id,
        "sourceEventId": source,
        "targetEventId": CLONE,
        "targetEventName": "Congress, next edition",
        "elements": {"workflows": True, "participantTypes": True} | elements,
        "idMap": {PARTICIPANT_TYPE: CLONE_TYPE, "field-passport": "field-passport-2"},
    }


async def _configured_source(workflow):
    """A published fork/join workflow of the event with conditional routes, an assignment and a rule; a
    deleted workflow beside it."""
    await workflow.flags(*SOURCE_FLAGS)
    built = await workflow.build(FORKED, participantTypeId=PARTICIPANT_TYPE)
    s = built.steps
    await workflow.call(contract.ASSIGN_STEP, {"stepId": s["review"], "userId": "reviewer-1", "strategy": "MANUAL"})
    rule_condition = {
        "type": "compound",
        "operator": "and",
        "conditions": [DELEGATES, {"type": "simple", "field": "field-passport", "operator": "notEmpty"}],
    }
    await workflow.call(
        contract.CREATE_AUTO_ACTION_RULE,
        {
            "stepId": s["review"],
            "name": "Delegates with a passport",
            "conditionExpression": rule_condition,
            "actionType": "AUTO_APPROVE",
            "isActive": False,
        },
    )
    gone = await workflow.call(contract.CREATE_WORKFLOW, {"eventId": EVENT, "name": "Abandoned"})
    await workflow.call(contract.DELETE_WORKFLOW, {"id": gone.id})
    await workflow.seed_event(CLONE, types=(CLONE_TYPE,))
    return built


async def _rows(workflow, query) -> list[dict]:
    async with workflow.runtime.engine.connect() as conn:
        return [dict(r._mapping) for r in await conn.execute(query)]


async def _clone_rows(workflow, event_id: str = CLONE) -> dict[str, list[dict]]:
    """Every row of the event's workflows, by table."""
    workflows = await _rows(workflow, sa.select(workflow_table).where(workflow_table.c.event_id == event_id))
    steps = await _rows(workflow, sa.select(step).where(step.c.workflow_id.in_([w["id"] for w in workflows])))
    step_ids = [s["id"] for s in steps]
    return {
        "workflows": workflows,
        "steps": steps,
        "assignments": await _rows(workflow, sa.select(step_assignment).where(step_assignment.c.step_id.in_(step_ids))),
        "rules": await _rows(workflow, sa.select(auto_action_rule).where(auto_action_rule.c.step_id.in_(step_ids))),
    }


def _step_references(row: dict) -> list[str]:
    config = row["config"] or {}
    targets = [
        row[name] for name in ("next_step_id", "rejection_target_id", "bypass_target_id", "escalation_target_id")
    ]
    routes = [
        r["targetStepId"] for key in ("conditionalRoutes", "rejectionConditionalRoutes") for r in config.get(key) or []
    ]
    branches = [b["branchStepId"] for b in config.get("branches") or []]
    return [ref for ref in (*targets, *routes, *branches, config.get("joinStepId")) if ref is not None]


async def _event_counts(workflow) -> dict[str, int]:
    specs = (
        contract.WORKFLOW_CREATED,
        contract.STEP_CREATED,
        contract.STEP_ASSIGNED,
        contract.AUTO_ACTION_RULE_CREATED,
    )
    return {spec.type: len(await workflow.events(spec)) for spec in specs}


async def test_a_copied_fork_and_join_workflow_points_only_inside_the_clone(workflow):
    source = await _configured_source(workflow)
    before = await _event_counts(workflow)

    copied: CopiedPart = await workflow.call(COPY, _copy())

    assert copied.counts == SOURCE_COUNTS
    rows = await _clone_rows(workflow)
    (clone,) = rows["workflows"]
    assert copied.id_map[source.workflow_id] == clone["id"]
    assert (clone["status"], clone["participant_type_id"], clone["deleted_at"]) == ("DRAFT", CLONE_TYPE, None)
    assert await _rows(workflow, sa.select(workflow_version).where(workflow_version.c.workflow_id == clone["id"])) == []
    step_ids = {s["id"] for s in rows["steps"]}
    assert step_ids == {copied.id_map[old] for old in source.steps.values()}
    assert {s["workflow_id"] for s in rows["steps"]} == {clone["id"]}
    new = {key: copied.id_map[old] for key, old in source.steps.items()}
    by_id = {s["id"]: s for s in rows["steps"]}
    screening, review, checks, joined = (by_id[new[k]] for k in ("screening", "review", "checks", "joined"))
    assert screening["config"]["conditionalRoutes"][0]["targetStepId"] == new["checks"]  # forward, in a config
    assert screening["config"]["conditionalRoutes"][0]["condition"]["value"] == CLONE_TYPE
    assert checks["config"]["branches"] == [{"branchStepId": new["security"]}, {"branchStepId": new["protocol"]}]
    assert checks["config"]["joinStepId"] == new["joined"]
    assert (review["next_step_id"], review["rejection_target_id"]) == (new["checks"], new["screening"])
    assert (review["escalation_target_id"], joined["rejection_target_id"]) == (new["badge"], new["review"])
    for row in rows["steps"]:
        assert set(_step_references(row)) <= step_ids, row["name"]
    (assignment,) = rows["assignments"]
    assert (assignment["step_id"], assignment["user_id"], assignment["is_active"]) == (
        new["review"],
        "reviewer-1",
        True,
    )
    (rule,) = rows["rules"]
    assert rule["step_id"] == new["review"] and rule["is_active"] is False
    assert [c.get("value", c.get("field")) for c in rule["condition_expression"]["conditions"]] == [
        CLONE_TYPE,
        "field-passport-2",
    ]
    # nothing in the clone names anything of the source: not a step, a workflow, a type or a field
    written = json.dumps(rows, default=str)
    for old in (*source.steps.values(), source.workflow_id, PARTICIPANT_TYPE, 'field-passport"'):
        assert old not in written
    # the source is as it was
    assert len((await _clone_rows(workflow, EVENT))["steps"]) == 7

    after = await _event_counts(workflow)
    assert {t: after[t] - before[t] for t in after} == {
        contract.WORKFLOW_CREATED.type: 1,
        contract.STEP_CREATED.type: 7,
        contract.STEP_ASSIGNED.type: 1,
        contract.AUTO_ACTION_RULE_CREATED.type: 1,
    }
    (announced,) = [e for e in await workflow.events(contract.WORKFLOW_CREATED) if e["workflow"]["id"] == clone["id"]]
    assert announced["workflow"]["eventId"] == CLONE and announced["workflow"]["status"] == "DRAFT"


async def test_the_copy_publishes_and_a_participant_of_the_clone_runs_its_routes_and_fork(workflow):
    source = await _configured_source(workflow)
    copied = await workflow.call(COPY, _copy())
    new = {key: copied.id_map[old] for key, old in source.steps.items()}
    clone_id = copied.id_map[source.workflow_id]

    published = await workflow.call(contract.PUBLISH_WORKFLOW, {"id": clone_id})
    assert published.version.version == 1

    pid = await workflow.register(event_id=CLONE, participantTypeId=CLONE_TYPE)
    entered = await workflow.at(pid, new["screening"])
    assert entered.workflow_id == clone_id
    # the route's condition names the clone's type: it sends this delegate to the clone's fork
    moved = await workflow.call(
        contract.TAKE_ACTION[ApprovalAction.APPROVE], {"participantId": pid, "expectedVersion": entered.version}
    )
    assert moved.next_step_id == new["checks"]
    branches = (await workflow.progress(pid)).branches
    assert sorted(b.branch_step_id for b in branches) == sorted([new["security"], new["protocol"]])


async def test_a_repeated_copy_answers_the_same_and_writes_and_announces_nothing_more(workflow):
    await _configured_source(workflow)
    first = await workflow.call(COPY, _copy())
    rows, events = await _clone_rows(workflow), await _event_counts(workflow)

    again = await workflow.call(COPY, _copy())

    assert again == first
    assert await _clone_rows(workflow) == rows
    assert await _event_counts(workflow) == events


async def test_a_type_the_clone_did_not_bring_makes_the_copy_the_events_default(workflow):
    source = await _configured_source(workflow)
    request = _copy(participantTypes=False) | {"idMap": {}}

    copied = await workflow.call(COPY, request)

    (clone,) = (await _clone_rows(workflow))["workflows"]
    assert clone["id"] == copied.id_map[source.workflow_id] and clone["participant_type_id"] is None


async def test_dropping_the_clone_deletes_its_workflows_and_everything_under_them_once(workflow):
    source = await _configured_source(workflow)
    copied = await workflow.call(COPY, _copy())
    clone_id = copied.id_map[source.workflow_id]

    dropped: DroppedPart = await workflow.call(DROP, {"operationId": "op-1", "targetEventId": CLONE})

    assert dropped.counts == SOURCE_COUNTS
    assert await _clone_rows(workflow) == {"workflows": [], "steps": [], "assignments": [], "rules": []}
    deleted = [e for e in await workflow.events(contract.WORKFLOW_DELETED) if e["workflow"]["id"] == clone_id]
    assert len(deleted) == 1 and deleted[0]["workflow"]["eventId"] == CLONE
    source_rows = await _clone_rows(workflow, EVENT)
    assert [len(source_rows[k]) for k in ("steps", "assignments", "rules")] == [7, 1, 1]

    again = await workflow.call(DROP, {"operationId": "op-1", "targetEventId": CLONE})
    assert again.counts == dict.fromkeys(SOURCE_COUNTS, 0)
    assert len([e for e in await workflow.events(contract.WORKFLOW_DELETED) if e["workflow"]["id"] == clone_id]) == 1

    # undone, the clone can be copied again under the same operation
    assert (await workflow.call(COPY, _copy())) == copied


async def test_an_unknown_event_another_tenants_event_or_no_workflows_asked_copy_nothing(workflow):
    await _configured_source(workflow)
    events = await _event_counts(workflow)

    unknown = await workflow.call(COPY, _copy(source="no-such-event"))
    assert (unknown.id_map, unknown.counts) == ({}, dict.fromkeys(SOURCE_COUNTS, 0))
    theirs = await workflow.call(COPY, _copy(), tenant=OTHER_TENANT)  # event-1 is tenant-a's
    assert (theirs.id_map, theirs.counts) == ({}, dict.fromkeys(SOURCE_COUNTS, 0))
    not_asked = await workflow.call(COPY, _copy(workflows=False))
    assert (not_asked.id_map, not_asked.counts) == ({}, {})

    assert (await _clone_rows(workflow))["workflows"] == []
    assert await _event_counts(workflow) == events


async def test_another_tenant_dropping_the_same_event_id_leaves_the_clone_alone(workflow):
    await _configured_source(workflow)
    await workflow.call(COPY, _copy())

    dropped = await workflow.call(DROP, {"operationId": "op-1", "targetEventId": CLONE}, tenant=OTHER_TENANT)

    assert dropped.counts == dict.fromkeys(SOURCE_COUNTS, 0)
    assert len((await _clone_rows(workflow))["steps"]) == 7


# --- erasure --------------------------------------------------------------------------------------

PERSON = {
    "firstName": "Zenobia",
    "lastName": "Quarrington",
    "email": "zenobia.q@example.org",
    "organization": "Quarrington Trust",
    "jobTitle": "Envoy",
    "nationality": "KE",
    "extras": {"passportName": "Zenobia Quarrington", "contact": "zenobia.q@example.org"},
}
LINEAR = [
    {"key": "screening", "isEntryPoint": True, "nextStepId": "review"},
    {"key": "review", "isTerminal": True},
]


async def _reviewed_person(workflow) -> tuple[str, str]:
    """The person, entered into a workflow, assigned a reviewer, approved with remarks naming them
    (the reply kept for an idempotent retry), and another participant beside them."""
    await workflow.flags(FlagKey.STEP_ASSIGNMENT)
    built = await workflow.build(LINEAR)
    await workflow.call(
        contract.ASSIGN_STEP, {"stepId": built.steps["review"], "userId": "reviewer-1", "strategy": "ROUND_ROBIN"}
    )
    pid = await workflow.register(**PERSON)
    other = await workflow.register(firstName="Octavia", lastName="Other", email="octavia@example.org")
    await workflow.at(pid, built.steps["screening"])
    await workflow.at(other, built.steps["screening"])
    await workflow.call(
        contract.TAKE_ACTION[ApprovalAction.APPROVE],
        {"participantId": pid, "comment": "Zenobia Quarrington's papers are fine"},
        idempotency_key="approve-zenobia",
    )
    notified = contract.NOTIFICATION_REQUESTED

    async def reviewer_told() -> bool:
        return any(e["data"].get("participantId") == pid for e in await workflow.events(notified))

    await eventually(reviewer_told, timeout=20)
    return pid, other


async def test_erasing_a_person_leaves_no_name_or_email_in_any_table_and_keeps_their_progress(workflow):
    pid, other = await _reviewed_person(workflow)
    assert "participant" in await rows_holding(workflow.runtime.engine, "workflow", "Zenobia")
    before = await workflow.progress(pid)

    receipt: ErasureReceipt = await workflow.call(ERASE, {"erasureId": "er-1", "participantId": pid, "eventId": EVENT})

    assert receipt.service == "workflow"
    assert receipt.anonymised["participant"] == 1 and receipt.anonymised["approval"] == 1
    assert receipt.erased == {"idempotency_key": 1}
    # the outbox holds the events about them sealed with their key (``plenary_contracts.personal``)
    assert (
        await rows_holding(workflow.runtime.engine, "workflow", "Zenobia", "Quarrington", "zenobia.q@example.org") == {}
    )
    after = await workflow.progress(pid)
    assert (after.status, after.current_step_id, after.version) == (
        before.status,
        before.current_step_id,
        before.version,
    )
    assert after.name == ""
    (kept,) = await _rows(workflow, sa.select(participant).where(participant.c.id == pid))
    assert (kept["registration_code"], kept["participant_type_id"]) == (before.registration_code, PARTICIPANT_TYPE)
    assert kept["step_entered_at"] is not None and kept["extras"] == {} and kept["email"] is None
    # the other participant keeps everything
    assert (await workflow.progress(other)).name == "Octavia Other"
    assert "participant" in await rows_holding(workflow.runtime.engine, "workflow", "octavia@example.org")


async def test_erasing_twice_counts_nothing_the_second_time(workflow):
    pid, _ = await _reviewed_person(workflow)
    await workflow.call(ERASE, {"erasureId": "er-1", "participantId": pid, "eventId": EVENT})

    again = await workflow.call(ERASE, {"erasureId": "er-1", "participantId": pid, "eventId": EVENT})

    assert set(again.anonymised.values()) == {0} and set(again.erased.values()) == {0}


async def test_an_unknown_person_or_another_tenants_erasure_touches_nothing(workflow):
    pid, _ = await _reviewed_person(workflow)

    unknown = await workflow.call(ERASE, {"erasureId": "er-2", "participantId": "nobody", "eventId": EVENT})
    theirs = await workflow.call(
        ERASE, {"erasureId": "er-3", "participantId": pid, "eventId": EVENT}, tenant=OTHER_TENANT
    )

    for receipt in (unknown, theirs):
        assert set(receipt.anonymised.values()) == {0} and set(receipt.erased.values()) == {0}
    assert (await workflow.progress(pid)).name == "Zenobia Quarrington"
    assert "participant" in await rows_holding(workflow.runtime.engine, "workflow", "zenobia.q@example.org")
    assert await workflow.scalar(sa.select(sa.func.count()).select_from(messaging.idempotency)) == 1
