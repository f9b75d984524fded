"""Auto-action rules over the bus: CRUD, reorder, dry run, and the order the engine reads."""

import pytest
from workflow_svc.adapters.rule_repository import active_rules

from plenary_contracts.catalog import workflow as contract
from plenary_contracts.errors import NotFound, ValidationFailed

KENYAN = {"type": "simple", "field": "nationality", "operator": "eq", "value": "KE"}
EVERYONE = {"type": "compound", "operator": "and", "conditions": []}
WITH_ORG = {"type": "simple", "field": "organization", "operator": "notEmpty"}


@pytest.fixture
async def step_id(workflow) -> str:
    created = await workflow.call(contract.CREATE_WORKFLOW, {"eventId": "event-1", "name": "Accreditation"})
    made = await workflow.call(contract.CREATE_STEP, {"workflowId": created.id, "name": "Screening", "order": 1})
    return made.id


async def _rule(workflow, step_id: str, name: str, condition=KENYAN, **fields) -> contract.AutoActionRule:
    body = {"stepId": step_id, "name": name, "conditionExpression": condition, "actionType": "AUTO_APPROVE"}
    return await workflow.call(contract.CREATE_AUTO_ACTION_RULE, body | fields)


async def _listed(workflow, step_id: str) -> list[str]:
    return [r.name for r in (await workflow.call(contract.LIST_AUTO_ACTION_RULES, {"stepId": step_id})).data]


async def test_a_rule_is_created_active_at_priority_zero_and_listed_by_priority(workflow, step_id):
    first = await _rule(workflow, step_id, "first")
    assert (first.priority, first.is_active, first.created_by, first.action_type) == (
        0,
        True,
        "admin-user",
        "AUTO_APPROVE",
    )
    await _rule(workflow, step_id, "late", priority=5, isActive=False)
    await _rule(workflow, step_id, "second")
    assert await _listed(workflow, step_id) == ["first", "second", "late"]
    async with workflow.runtime.engine.connect() as conn:
        assert [r.name for r in await active_rules(conn, step_id)] == ["first", "second"]
    assert [e["rule"]["name"] for e in await workflow.events(contract.AUTO_ACTION_RULE_CREATED)] == [
        "first",
        "late",
        "second",
    ]


async def test_a_rule_updates_partially_and_deletes_for_good(workflow, step_id):
    rule = await _rule(workflow, step_id, "kenyans", description="why")
    changed = await workflow.call(
        contract.UPDATE_AUTO_ACTION_RULE,
        {"id": rule.id, "actionType": "AUTO_REJECT", "isActive": False},
    )
    assert (changed.action_type, changed.is_active, changed.description, changed.name) == (
        "AUTO_REJECT",
        False,
        "why",
        "kenyans",
    )
    cleared = await workflow.call(
        contract.UPDATE_AUTO_ACTION_RULE,
        {"id": rule.id, "description": None},
    )
    assert cleared.description is None and cleared.action_type == "AUTO_REJECT"
    assert await workflow.call(contract.DELETE_AUTO_ACTION_RULE, {"id": rule.id}) == contract.AutoActionRuleRef(
        id=rule.id
    )
    assert await _listed(workflow, step_id) == []
    with pytest.raises(NotFound):
        await workflow.call(contract.DELETE_AUTO_ACTION_RULE, {"id": rule.id})
    assert len(await workflow.events(contract.AUTO_ACTION_RULE_UPDATED)) == 2
    assert [e["rule"]["id"] for e in await workflow.events(contract.AUTO_ACTION_RULE_DELETED)] == [rule.id]


async def test_an_invalid_condition_is_refused_with_where(workflow, step_id):
    bad = {"type": "compound", "operator": "and", "conditions": [{"type": "simple", "field": "x", "operator": "near"}]}
    with pytest.raises(ValidationFailed) as refused:
        await _rule(workflow, step_id, "bad", condition=bad)
    assert [e.loc for e in refused.value.errors] == [["body", "conditionExpression", "conditions", 0, "operator"]]
    rule = await _rule(workflow, step_id, "good")
    with pytest.raises(ValidationFailed):
        await workflow.call(
            contract.UPDATE_AUTO_ACTION_RULE,
            {"id": rule.id, "conditionExpression": {"type": "odd"}},
        )


async def test_rules_of_another_tenant_or_a_deleted_workflow_are_not_found(workflow, step_id):
    rule = await _rule(workflow, step_id, "mine")
    other = {"tenant": "tenant-b"}
    for spec, body in [
        (contract.LIST_AUTO_ACTION_RULES, {"stepId": step_id}),
        (contract.UPDATE_AUTO_ACTION_RULE, {"id": rule.id, "name": "theirs"}),
        (contract.DELETE_AUTO_ACTION_RULE, {"id": rule.id}),
        (contract.TEST_AUTO_ACTION_RULES, {"stepId": step_id, "data": {}}),
        (
            contract.CREATE_AUTO_ACTION_RULE,
            {"stepId": step_id, "name": "theirs", "conditionExpression": KENYAN, "actionType": "AUTO_APPROVE"},
        ),
    ]:
        with pytest.raises(NotFound):
            await workflow.call(spec, body, **other)
    (owner,) = (await workflow.call(contract.LIST_WORKFLOWS, {})).data
    await workflow.call(contract.DELETE_WORKFLOW, {"id": owner.id})
    with pytest.raises(NotFound):
        await workflow.call(contract.LIST_AUTO_ACTION_RULES, {"stepId": step_id})
    with pytest.raises(NotFound):
        await workflow.call(contract.DELETE_AUTO_ACTION_RULE, {"id": rule.id})


async def test_reorder_sets_each_priority_to_its_position(workflow, step_id):
    a, b, c = [await _rule(workflow, step_id, name) for name in "abc"]
    reordered = await workflow.call(
        contract.REORDER_AUTO_ACTION_RULES, {"stepId": step_id, "ruleIds": [c.id, a.id, b.id]}
    )
    assert [(r.name, r.priority) for r in reordered.data] == [("c", 0), ("a", 1), ("b", 2)]
    assert await _listed(workflow, step_id) == ["c", "a", "b"]
    # c already had priority 0: only the rules whose priority moved are announced
    assert sorted(e["rule"]["name"] for e in await workflow.events(contract.AUTO_ACTION_RULE_UPDATED)) == ["a", "b"]


async def test_reorder_must_name_every_rule_of_the_step_once(workflow, step_id):
    a, b = [await _rule(workflow, step_id, name) for name in "ab"]
    for ids, problem in [
        ([a.id], "left out"),
        ([a.id, b.id, b.id], "more than once"),
        ([a.id, b.id, "elsewhere"], "not rules of this step"),
    ]:
        with pytest.raises(ValidationFailed) as refused:
            await workflow.call(contract.REORDER_AUTO_ACTION_RULES, {"stepId": step_id, "ruleIds": ids})
        (error,) = refused.value.errors
        assert error.loc == ["body", "ruleIds"] and problem in error.msg
    assert await _listed(workflow, step_id) == ["a", "b"]


async def test_a_dry_run_names_the_rule_that_would_act_and_changes_nothing(workflow, step_id):
    org = await _rule(
        workflow, step_id, "has an organisation", condition=WITH_ORG, actionType="AUTO_BYPASS", priority=2
    )
    kenyan = await _rule(workflow, step_id, "kenyan", priority=1)
    off = await _rule(workflow, step_id, "everyone, switched off", condition=EVERYONE, isActive=False)

    tried = await workflow.call(
        contract.TEST_AUTO_ACTION_RULES, {"stepId": step_id, "data": {"nationality": "ke", "organization": "AU"}}
    )
    assert tried.match == contract.RuleMatch(
        rule_id=kenyan.id, rule_name="kenyan", action_type="AUTO_APPROVE", approval_action="APPROVE"
    )
    assert [(r.rule_id, r.matched, r.is_active) for r in tried.results] == [
        (off.id, True, False),
        (kenyan.id, True, True),
        (org.id, True, True),
    ]
    only_org = await workflow.call(contract.TEST_AUTO_ACTION_RULES, {"stepId": step_id, "data": {"organization": "AU"}})
    assert only_org.match.rule_id == org.id and only_org.match.approval_action == "BYPASS"
    assert (await workflow.call(contract.TEST_AUTO_ACTION_RULES, {"stepId": step_id, "data": {}})).match is None

    one = await workflow.call(contract.TEST_AUTO_ACTION_RULES, {"stepId": step_id, "data": {}, "ruleId": off.id})
    assert one.match.rule_id == off.id and [r.rule_id for r in one.results] == [off.id]
    with pytest.raises(NotFound):
        await workflow.call(contract.TEST_AUTO_ACTION_RULES, {"stepId": step_id, "data": {}, "ruleId": "missing"})
    assert len(await workflow.events(contract.AUTO_ACTION_RULE_UPDATED)) == 0
