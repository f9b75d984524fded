"""The pure parts of step editing: how config is stored, what it may refer to, what a deletion removes."""

from workflow_svc.application.steps import config_errors, stored_config, target_errors, without_step

from plenary_contracts.catalog.workflow import StepConfig

KENYAN = {"type": "simple", "field": "nationality", "operator": "eq", "value": "KE"}


def test_stored_config_keeps_its_wire_keys_drops_nulls_and_ids_every_route():
    config = StepConfig.model_validate(
        {
            "conditionalRoutes": [{"targetStepId": "b", "condition": KENYAN}, {"targetStepId": "c", "id": "kept"}],
            "joinStepId": "j",
            "timeoutMinutes": 5,
            "roundRobinIndex": 3,
        }
    )
    stored = stored_config(config)
    assert set(stored) == {"conditionalRoutes", "joinStepId", "timeoutMinutes", "roundRobinIndex"}
    generated, kept = stored["conditionalRoutes"]
    assert generated["id"] and generated["priority"] == 0 and "label" not in generated
    assert kept == {"id": "kept", "targetStepId": "c", "priority": 0}
    assert stored_config(None) == {} == stored_config(StepConfig())


def test_two_stored_routes_never_share_a_generated_id():
    config = StepConfig.model_validate({"conditionalRoutes": [{"targetStepId": "b"}, {"targetStepId": "b"}]})
    first, second = stored_config(config)["conditionalRoutes"]
    assert first["id"] != second["id"]


def test_config_may_refer_only_to_steps_of_the_workflow_with_valid_conditions():
    config = {
        "conditionalRoutes": [{"id": "r", "targetStepId": "b", "condition": {"type": "simple", "field": ""}}],
        "rejectionConditionalRoutes": [{"id": "x", "targetStepId": "gone"}, {"id": "x", "targetStepId": "b"}],
        "branches": [{"branchStepId": "b"}, {"branchStepId": "gone"}],
        "joinStepId": "gone",
    }
    locs = [e.loc for e in config_errors(config, {"a", "b"})]
    assert locs == [
        ["body", "config", "conditionalRoutes", 0, "condition", "field"],
        ["body", "config", "conditionalRoutes", 0, "condition", "operator"],
        ["body", "config", "rejectionConditionalRoutes", 0, "targetStepId"],
        ["body", "config", "rejectionConditionalRoutes", 1, "id"],
        ["body", "config", "branches", 1, "branchStepId"],
        ["body", "config", "joinStepId"],
    ]
    assert config_errors({}, set()) == []


def test_fixed_targets_must_be_steps_of_the_workflow_and_null_is_fine():
    values = {"next_step_id": "b", "rejection_target_id": "gone", "bypass_target_id": None}
    assert [e.loc for e in target_errors(values, {"a", "b"})] == [["body", "rejectionTargetId"]]


def test_removing_a_step_drops_its_routes_its_branch_and_the_join_and_keeps_the_rest():
    config = {
        "conditionalRoutes": [{"targetStepId": "gone"}, {"targetStepId": "b"}],
        "rejectionConditionalRoutes": [{"targetStepId": "gone"}],
        "branches": [{"branchStepId": "gone"}, {"branchStepId": "c"}],
        "joinStepId": "gone",
        "strategy": "ALL",
    }
    assert without_step(config, "gone") == {
        "conditionalRoutes": [{"targetStepId": "b"}],
        "rejectionConditionalRoutes": [],
        "branches": [{"branchStepId": "c"}],
        "strategy": "ALL",
    }
    assert without_step(config, "unrelated") == config
