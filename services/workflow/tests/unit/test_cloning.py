"""The plan of a workflow copy: new ids first, then every reference pointed at the copies."""

from workflow_svc.domain.cloning import plan_copy, remapped_config

from plenary_contracts.enums import WorkflowStatus
from plenary_contracts.id_map import derived_id

OP = "op-1"
PRIOR = {"type-a": "type-a2", "field-x": "field-x2"}  # what the parts before this one copied


def _step(step_id: str, order: int, **fields) -> dict:
    return {
        "id": step_id,
        "workflow_id": "wf",
        "name": step_id,
        "description": None,
        "order": order,
        "step_type": "REVIEW",
        "is_entry_point": order == 0,
        "is_terminal": False,
        "next_step_id": None,
        "rejection_target_id": None,
        "bypass_target_id": None,
        "escalation_target_id": None,
        "sla_duration_minutes": None,
        "sla_action": None,
        "config": {},
        "round_robin_counter": 7,
    } | fields


WORKFLOW = {
    "id": "wf",
    "participant_type_id": "type-a",
    "name": "Accreditation",
    "description": "d",
    "status": "PUBLISHED",
}
ON_TYPE = {"type": "simple", "field": "participantTypeId", "operator": "eq", "value": "type-a"}
STEPS = [
    _step(
        "s1",
        0,
        next_step_id="s2",
        config={"conditionalRoutes": [{"id": "r1", "targetStepId": "s3", "condition": ON_TYPE}]},
    ),
    _step("s2", 1, next_step_id="s3", rejection_target_id="s1"),
    _step("s3", 2, step_type="FORK", config={"branches": [{"branchStepId": "s4"}], "joinStepId": "s5"}),
    _step("s4", 3),
    _step("s5", 4, step_type="JOIN", bypass_target_id="s1", escalation_target_id="s2", config={"strategy": "ALL"}),
]
ASSIGNMENT = {
    "id": "as1",
    "step_id": "s2",
    "user_id": "user-1",
    "strategy": "ROUND_ROBIN",
    "is_active": True,
    "assigned_by": "admin",
}
RULE = {
    "id": "ru1",
    "step_id": "s2",
    "name": "Type A with field x",
    "description": None,
    "condition_expression": {"type": "compound", "operator": "and", "conditions": [ON_TYPE, {"field": "field-x"}]},
    "action_type": "AUTO_APPROVE",
    "priority": 3,
    "is_active": False,
    "created_by": "admin",
}


def _plan():
    return plan_copy(OP, "event-2", PRIOR, [WORKFLOW], STEPS, [ASSIGNMENT], [RULE])


def test_every_copied_row_gets_the_id_derived_from_the_operation_and_its_old_id():
    plan = _plan()
    old = ["wf", "s1", "s2", "s3", "s4", "s5", "as1", "ru1"]
    assert plan.additions == {i: derived_id(OP, i) for i in old}
    assert plan.counts == {"workflows": 1, "steps": 5, "assignments": 1, "rules": 1}
    assert plan == _plan()  # the same operation plans the same rows


def test_the_workflow_lands_in_the_target_event_as_a_draft_of_the_copied_type():
    (workflow,) = _plan().workflows
    assert workflow == {
        "id": derived_id(OP, "wf"),
        "event_id": "event-2",
        "participant_type_id": "type-a2",
        "name": "Accreditation",
        "description": "d",
        "status": WorkflowStatus.DRAFT,
    }


def test_a_type_outside_the_copy_becomes_null():
    (workflow,) = plan_copy(OP, "event-2", {}, [WORKFLOW], [], [], []).workflows
    assert workflow["participant_type_id"] is None


def test_forward_and_backward_targets_and_config_references_point_at_the_copies():
    new = _plan().additions
    steps = {s["id"]: s for s in _plan().steps}
    s1, s2, s3, s5 = (steps[new[k]] for k in ("s1", "s2", "s3", "s5"))
    assert s1["next_step_id"] == new["s2"]
    route = s1["config"]["conditionalRoutes"][0]
    assert route == {"id": "r1", "targetStepId": new["s3"], "condition": ON_TYPE | {"value": "type-a2"}}
    assert (s2["next_step_id"], s2["rejection_target_id"]) == (new["s3"], new["s1"])
    assert s3["config"] == {"branches": [{"branchStepId": new["s4"]}], "joinStepId": new["s5"]}
    assert (s5["bypass_target_id"], s5["escalation_target_id"], s5["config"]) == (
        new["s1"],
        new["s2"],
        {"strategy": "ALL"},
    )
    assert all(s["workflow_id"] == new["wf"] and "round_robin_counter" not in s for s in steps.values())


def test_assignments_keep_their_user_and_rules_their_settings_with_ids_in_conditions_remapped():
    plan = _plan()
    new = plan.additions
    (assignment,) = plan.assignments
    assert assignment == ASSIGNMENT | {"id": new["as1"], "step_id": new["s2"]}
    (rule,) = plan.rules
    assert rule["id"] == new["ru1"] and rule["step_id"] == new["s2"]
    assert rule["condition_expression"]["conditions"] == [ON_TYPE | {"value": "type-a2"}, {"field": "field-x2"}]
    assert (rule["priority"], rule["is_active"], rule["created_by"]) == (3, False, "admin")


def test_a_config_reference_to_no_copied_step_goes_instead_of_pointing_at_the_source():
    config = {
        "conditionalRoutes": [{"id": "r", "targetStepId": "old-a"}, {"id": "q", "targetStepId": "stale"}],
        "rejectionConditionalRoutes": [{"id": "r", "targetStepId": "stale"}],
        "branches": [{"branchStepId": "old-a"}, {"branchStepId": "stale"}],
        "joinStepId": "stale",
        "slaWarningMinutes": 30,
    }
    remapped = remapped_config(config, {"old-a": "new-a"}, {"new-a"})
    assert remapped == {
        "conditionalRoutes": [{"id": "r", "targetStepId": "new-a"}],
        "rejectionConditionalRoutes": [],
        "branches": [{"branchStepId": "new-a"}],
        "slaWarningMinutes": 30,
    }
    assert config["joinStepId"] == "stale"  # the source's config is left as it was


def test_nothing_to_copy_plans_nothing():
    plan = plan_copy(OP, "event-2", PRIOR, [], [], [], [])
    assert (plan.additions, plan.counts) == ({}, {"workflows": 0, "steps": 0, "assignments": 0, "rules": 0})
