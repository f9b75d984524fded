"""Workflows and steps over the bus: CRUD, tenancy, If-Match, references between steps, conditions."""

import pytest
import sqlalchemy as sa
from workflow_svc.adapters.tables import step as step_table

from plenary_contracts.access import etag_of
from plenary_contracts.catalog import workflow as contract
from plenary_contracts.errors import BadRequest, Conflict, NotFound, PreconditionFailed, ValidationFailed

OTHER_TENANT = "tenant-b"


async def _workflow(workflow, name: str = "Accreditation", **fields) -> contract.Workflow:
    return await workflow.call(contract.CREATE_WORKFLOW, {"eventId": "event-1", "name": name} | fields)


async def _step(workflow, workflow_id: str, order: int, **fields) -> contract.Step:
    body = {"workflowId": workflow_id, "name": f"Step {order}", "order": order} | fields
    return await workflow.call(contract.CREATE_STEP, body)


def _locs(error: pytest.ExceptionInfo) -> list[list]:
    return [e.loc for e in error.value.errors]


async def test_a_workflow_starts_as_a_draft_and_reads_back_with_its_steps_in_order(workflow):
    created = await _workflow(workflow, description="Who gets a badge", participantTypeId="type-delegate")
    assert (created.status, created.current_version, created.steps) == ("DRAFT", None, None)
    assert (created.tenant_id, created.participant_type_id) == ("tenant-a", "type-delegate")
    second = await _step(workflow, created.id, 20, name="Print")
    first = await _step(workflow, created.id, 10, name="Review", isEntryPoint=True, nextStepId=second.id)

    got = await workflow.call(contract.GET_WORKFLOW, {"id": created.id})
    assert [s.id for s in got.steps] == [first.id, second.id]
    assert got.steps[0].next_step_id == second.id and got.steps[0].step_type == "REVIEW"
    assert got.updated_at > created.updated_at  # its steps are part of it as read

    (event,) = await workflow.events(contract.WORKFLOW_CREATED)
    assert event["workflow"]["id"] == created.id and event["workflow"]["status"] == "DRAFT"
    assert len(await workflow.events(contract.STEP_CREATED)) == 2


async def test_workflows_list_by_event_and_status_and_sort_by_name(workflow):
    await workflow.seed_event("event-2")
    await workflow.seed_event("event-b", tenant=OTHER_TENANT)
    await _workflow(workflow, "B flow")
    archived = await _workflow(workflow, "A flow")
    await workflow.call(contract.UPDATE_WORKFLOW, {"id": archived.id, "status": "ARCHIVED"})
    await _workflow(workflow, "C flow", eventId="event-2")
    await workflow.call(contract.CREATE_WORKFLOW, {"eventId": "event-b", "name": "Theirs"}, tenant=OTHER_TENANT)

    everything = await workflow.call(contract.LIST_WORKFLOWS, {"sort": "name:asc"})
    assert [w.name for w in everything.data] == ["A flow", "B flow", "C flow"]
    assert everything.meta.total == 3 and all(w.steps is None for w in everything.data)
    of_event = await workflow.call(contract.LIST_WORKFLOWS, {"eventId": "event-1", "status": "DRAFT"})
    assert [w.name for w in of_event.data] == ["B flow"]
    with pytest.raises(ValidationFailed):
        await workflow.call(contract.LIST_WORKFLOWS, {"sort": "status:asc"})


async def test_a_workflow_name_is_unique_per_tenant_and_event(workflow):
    await workflow.seed_event("event-2")
    await workflow.seed_event("event-b", tenant=OTHER_TENANT)
    first = await _workflow(workflow)
    with pytest.raises(Conflict) as clash:
        await _workflow(workflow)
    assert "already has this name" in clash.value.message
    await _workflow(workflow, eventId="event-2")
    await workflow.call(contract.CREATE_WORKFLOW, {"eventId": "event-b", "name": "Accreditation"}, tenant=OTHER_TENANT)
    other = await _workflow(workflow, "Other")
    with pytest.raises(Conflict):
        await workflow.call(contract.UPDATE_WORKFLOW, {"id": other.id, "name": first.name})


async def test_another_tenants_workflow_and_steps_are_not_found(workflow):
    theirs = await _workflow(workflow)
    their_step = await _step(workflow, theirs.id, 1)
    as_other = {"tenant": OTHER_TENANT}
    for spec, body in [
        (contract.GET_WORKFLOW, {"id": theirs.id}),
        (contract.UPDATE_WORKFLOW, {"id": theirs.id, "name": "Mine"}),
        (contract.DELETE_WORKFLOW, {"id": theirs.id}),
        (contract.PUBLISH_WORKFLOW, {"id": theirs.id}),
        (contract.LIST_WORKFLOW_VERSIONS, {"workflowId": theirs.id}),
        (contract.CREATE_STEP, {"workflowId": theirs.id, "name": "x", "order": 2}),
        (contract.UPDATE_STEP, {"workflowId": theirs.id, "stepId": their_step.id, "name": "x"}),
        (contract.DELETE_STEP, {"workflowId": theirs.id, "stepId": their_step.id}),
    ]:
        with pytest.raises(NotFound):
            await workflow.call(spec, body, **as_other)
    assert (await workflow.call(contract.LIST_WORKFLOWS, {}, **as_other)).data == []


async def test_a_global_admin_must_choose_a_tenant(workflow):
    with pytest.raises(BadRequest):
        await workflow.call(contract.CREATE_WORKFLOW, {"eventId": "event-1", "name": "x"}, tenant=None)


async def test_update_honours_if_match_and_moves_between_draft_and_archived(workflow):
    created = await _workflow(workflow, participantTypeId="type-delegate")
    with pytest.raises(PreconditionFailed):
        await workflow.call(contract.UPDATE_WORKFLOW, {"id": created.id, "name": "Late"}, if_match='"1"')
    archived = await workflow.call(
        contract.UPDATE_WORKFLOW,
        {"id": created.id, "status": "ARCHIVED", "description": "old"},
        if_match=etag_of(created.updated_at),
    )
    assert (archived.status, archived.description, archived.steps) == ("ARCHIVED", "old", [])
    assert archived.participant_type_id == "type-delegate"  # left out, so kept
    cleared = await workflow.call(
        contract.UPDATE_WORKFLOW,
        {"id": created.id, "status": "DRAFT", "description": None},
    )
    assert (cleared.status, cleared.description, cleared.participant_type_id) == ("DRAFT", None, "type-delegate")
    with pytest.raises(ValidationFailed):  # only publishing publishes; sent unchecked to reach the service
        await workflow.call(
            contract.UPDATE_WORKFLOW, contract.UpdateWorkflow.model_construct(id=created.id, status="PUBLISHED")
        )
    updates = await workflow.events(contract.WORKFLOW_UPDATED)
    assert [u["workflow"]["status"] for u in updates] == ["ARCHIVED", "DRAFT"]


async def test_a_deleted_workflow_disappears_with_its_steps(workflow):
    created = await _workflow(workflow)
    kept = await _step(workflow, created.id, 1)
    assert await workflow.call(contract.DELETE_WORKFLOW, {"id": created.id}) == contract.WorkflowRef(id=created.id)
    with pytest.raises(NotFound):
        await workflow.call(contract.GET_WORKFLOW, {"id": created.id})
    with pytest.raises(NotFound):
        await workflow.call(contract.UPDATE_STEP, {"workflowId": created.id, "stepId": kept.id, "name": "x"})
    with pytest.raises(NotFound):
        await workflow.call(contract.DELETE_WORKFLOW, {"id": created.id})
    assert (await workflow.call(contract.LIST_WORKFLOWS, {})).data == []
    (deleted,) = await workflow.events(contract.WORKFLOW_DELETED)
    assert deleted["workflow"]["id"] == created.id


async def test_step_targets_must_be_steps_of_the_same_workflow(workflow):
    mine = await _workflow(workflow)
    elsewhere = await _step(workflow, (await _workflow(workflow, "Other")).id, 1)
    with pytest.raises(ValidationFailed) as refused:
        await _step(
            workflow,
            mine.id,
            1,
            nextStepId=elsewhere.id,
            escalationTargetId="nope",
            config={
                "conditionalRoutes": [{"targetStepId": elsewhere.id, "condition": {"type": "simple", "field": "a"}}],
                "branches": [{"branchStepId": "nope"}],
                "joinStepId": "nope",
            },
        )
    assert sorted(map(str, _locs(refused))) == sorted(
        map(
            str,
            [
                ["body", "nextStepId"],
                ["body", "escalationTargetId"],
                ["body", "config", "conditionalRoutes", 0, "condition", "operator"],
                ["body", "config", "conditionalRoutes", 0, "targetStepId"],
                ["body", "config", "branches", 0, "branchStepId"],
                ["body", "config", "joinStepId"],
            ],
        )
    )


async def test_step_order_is_unique_per_workflow(workflow):
    created = await _workflow(workflow)
    await _step(workflow, created.id, 1)
    second = await _step(workflow, created.id, 2)
    with pytest.raises(Conflict) as clash:
        await _step(workflow, created.id, 1)
    assert "order" in clash.value.message
    with pytest.raises(Conflict):
        await workflow.call(contract.UPDATE_STEP, {"workflowId": created.id, "stepId": second.id, "order": 1})
    await _step(workflow, (await _workflow(workflow, "Other")).id, 1)


async def test_step_config_is_stored_with_its_wire_keys_and_every_route_gets_an_id(workflow):
    created = await _workflow(workflow)
    target = await _step(workflow, created.id, 2)
    route = {"condition": {"type": "simple", "field": "nationality", "operator": "eq", "value": "KE"}}
    made = await _step(
        workflow,
        created.id,
        1,
        stepType="JOIN",
        config={
            "conditionalRoutes": [route | {"targetStepId": target.id, "priority": 1}],
            "rejectionConditionalRoutes": [route | {"targetStepId": target.id, "id": "mine", "label": "KE"}],
            "strategy": "MAJORITY",
            "timeoutMinutes": 30,
            "timeoutAction": "REJECT",
            "slaWarningMinutes": 5,
            "legacyKey": {"kept": True},
        },
    )
    stored = (await workflow.execute(sa.select(step_table.c.config).where(step_table.c.id == made.id))).scalar_one()
    assert set(stored) == {
        "conditionalRoutes",
        "rejectionConditionalRoutes",
        "strategy",
        "timeoutMinutes",
        "timeoutAction",
        "slaWarningMinutes",
        "legacyKey",
    }
    generated = stored["conditionalRoutes"][0]
    assert generated["id"] and generated["targetStepId"] == target.id and "label" not in generated
    assert stored["rejectionConditionalRoutes"][0]["id"] == "mine"
    assert made.config.conditional_routes[0].id == generated["id"]


async def test_a_step_update_is_partial_and_an_explicit_null_clears(workflow):
    created = await _workflow(workflow)
    target = await _step(workflow, created.id, 2)
    made = await _step(workflow, created.id, 1, nextStepId=target.id, slaDurationMinutes=60, slaAction="NOTIFY")
    renamed = await workflow.call(
        contract.UPDATE_STEP,
        {"workflowId": created.id, "stepId": made.id, "name": "New"},
    )
    assert (renamed.name, renamed.next_step_id, renamed.sla_duration_minutes) == ("New", target.id, 60)
    cleared = await workflow.call(
        contract.UPDATE_STEP,
        {
            "workflowId": created.id,
            "stepId": made.id,
            "nextStepId": None,
            "slaDurationMinutes": None,
            "slaAction": None,
        },
    )
    assert (cleared.name, cleared.next_step_id, cleared.sla_duration_minutes, cleared.sla_action) == (
        "New",
        None,
        None,
        None,
    )
    with pytest.raises(NotFound):
        await workflow.call(contract.UPDATE_STEP, {"workflowId": created.id, "stepId": "missing", "name": "x"})
    assert len(await workflow.events(contract.STEP_UPDATED)) == 2


async def test_deleting_a_step_clears_every_reference_to_it(workflow):
    created = await _workflow(workflow)
    doomed = await _step(workflow, created.id, 3)
    kept = await _step(workflow, created.id, 2)
    pointing = await _step(
        workflow,
        created.id,
        1,
        stepType="FORK",
        nextStepId=doomed.id,
        rejectionTargetId=kept.id,
        config={
            "conditionalRoutes": [{"targetStepId": doomed.id}, {"targetStepId": kept.id}],
            "branches": [{"branchStepId": doomed.id}, {"branchStepId": kept.id}],
            "joinStepId": doomed.id,
        },
    )
    gone = await workflow.call(contract.DELETE_STEP, {"workflowId": created.id, "stepId": doomed.id})
    assert gone == contract.StepRef(workflow_id=created.id, step_id=doomed.id)

    (after,) = [
        s for s in (await workflow.call(contract.GET_WORKFLOW, {"id": created.id})).steps if s.id == pointing.id
    ]
    assert (after.next_step_id, after.rejection_target_id) == (None, kept.id)
    assert [r.target_step_id for r in after.config.conditional_routes] == [kept.id]
    assert [b.branch_step_id for b in after.config.branches] == [kept.id]
    assert after.config.join_step_id is None
    assert [e["step"]["id"] for e in await workflow.events(contract.STEP_UPDATED)] == [pointing.id]
    assert [e["step"]["id"] for e in await workflow.events(contract.STEP_DELETED)] == [doomed.id]
    with pytest.raises(NotFound):
        await workflow.call(contract.DELETE_STEP, {"workflowId": created.id, "stepId": doomed.id})


async def test_a_condition_converts_to_json_logic_and_back(workflow):
    condition = {
        "type": "compound",
        "operator": "and",
        "conditions": [
            {"type": "simple", "field": "nationality", "operator": "in", "value": ["KE", "ET"]},
            {"type": "simple", "field": "organization", "operator": "notEmpty"},
        ],
    }
    forward = await workflow.call(contract.CONVERT_CONDITION, {"condition": condition})
    assert forward.json_logic["and"][0] == {"in": [{"var": "nationality"}, ["KE", "ET"]]}
    back = await workflow.call(contract.CONVERT_CONDITION, {"jsonLogic": forward.json_logic})
    assert back.condition == forward.condition and back.json_logic == forward.json_logic
    assert back.condition["conditions"][1] == {
        "type": "simple",
        "field": "organization",
        "operator": "notEmpty",
        "value": None,
    }


async def test_an_invalid_condition_or_expression_is_refused_with_where(workflow):
    with pytest.raises(ValidationFailed) as bad_condition:
        await workflow.call(
            contract.CONVERT_CONDITION, {"condition": {"type": "simple", "field": "a.b", "operator": "eq"}}
        )
    assert _locs(bad_condition) == [["body", "condition", "field"]]
    with pytest.raises(ValidationFailed) as bad_logic:
        await workflow.call(contract.CONVERT_CONDITION, {"jsonLogic": {"unknown_op": [1, 2]}})
    assert _locs(bad_logic) == [["body", "jsonLogic"]]
