"""Auto-action rules: CRUD, reorder and a dry run, on steps of the tenant's live workflows."""

import dataclasses
from typing import Any

from plenary_contracts.catalog import workflow as contract
from plenary_contracts.conditions import condition_problems, evaluate
from plenary_contracts.errors import NotFound
from plenary_kit.db import UnitOfWork
from plenary_kit.ids import new_id

from ..adapters import rule_repository as rules
from ..adapters import workflow_repository as workflows
from ..adapters.records import AutoActionRule, LiveStep
from ..domain.auto_actions import APPROVAL_FOR, Rule, first_matching_rule
from .common import actor, field_error, located, refuse, tenant, utcnow

_REQUIRED = ("name", "condition_expression", "action_type", "priority", "is_active")


async def _step(uow: UnitOfWork, step_id: str, *, for_update: bool = False) -> LiveStep:
    found = await workflows.get_step(uow.session, step_id, tenant(), for_update=for_update)
    if found is None:
        raise NotFound(f"step {step_id} not found")
    return found


async def _rule(uow: UnitOfWork, rule_id: str) -> AutoActionRule:
    """A rule of the tenant whose step's workflow is not deleted; locked for the change to come."""
    found = await rules.get(uow.session, rule_id, tenant(), for_update=True)
    if found is None or await workflows.get_step(uow.session, found.step_id, found.tenant_id) is None:
        raise NotFound(f"auto-action rule {rule_id} not found")
    return found


def _fields(request: contract.CreateAutoActionRule | contract.UpdateAutoActionRule) -> dict[str, Any]:
    """The rule's given fields as stored: the condition as plain JSON, checked (422 when not valid)."""
    values = {name: getattr(request, name) for name in _REQUIRED if getattr(request, name) is not None}
    if "condition_expression" in values:
        refuse(
            "the condition is not valid",
            located(("body", "conditionExpression"), condition_problems(values["condition_expression"])),
        )
    return values


def _publish(uow: UnitOfWork, spec, row: AutoActionRule) -> contract.AutoActionRule:  # type: ignore[no-untyped-def]
    rule = rules.to_rule(row)
    uow.publish(spec, contract.AutoActionRuleChanged(rule=rule), subject=rule.id)
    return rule


async def create_auto_action_rule(request: contract.CreateAutoActionRule, uow: UnitOfWork) -> contract.AutoActionRule:
    owner = await _step(uow, request.step_id, for_update=True)
    values = _fields(request)
    now = utcnow()
    row = await rules.insert(
        uow.session,
        id=new_id(),
        tenant_id=owner.tenant_id,
        step_id=owner.id,
        description=request.description,
        created_by=actor(),
        created_at=now,
        updated_at=now,
        **values,
    )
    return _publish(uow, contract.AUTO_ACTION_RULE_CREATED, row)


async def list_auto_action_rules(request: contract.ListAutoActionRules, uow: UnitOfWork) -> contract.AutoActionRuleList:
    owner = await _step(uow, request.step_id)
    return contract.AutoActionRuleList(data=[rules.to_rule(r) for r in await rules.rules_of(uow.session, owner.id)])


async def update_auto_action_rule(request: contract.UpdateAutoActionRule, uow: UnitOfWork) -> contract.AutoActionRule:
    """A partial update; an explicit null clears the description."""
    current = await _rule(uow, request.id)
    values = _fields(request)
    if "description" in request.model_fields_set:
        values["description"] = request.description
    if not values:
        return rules.to_rule(current)
    row = await rules.update(uow.session, current.id, **values, updated_at=utcnow())
    return _publish(uow, contract.AUTO_ACTION_RULE_UPDATED, row)


async def delete_auto_action_rule(request: contract.AutoActionRuleRef, uow: UnitOfWork) -> contract.AutoActionRuleRef:
    current = await _rule(uow, request.id)
    await rules.delete(uow.session, current.id)
    _publish(uow, contract.AUTO_ACTION_RULE_DELETED, current)
    return contract.AutoActionRuleRef(id=current.id)


async def reorder_auto_action_rules(
    request: contract.ReorderAutoActionRules, uow: UnitOfWork
) -> contract.AutoActionRuleList:
    """Priority becomes each rule's position, in one transaction; the list must be exactly the step's rules."""
    owner = await _step(uow, request.step_id, for_update=True)
    current = {r.id: r for r in await rules.rules_of(uow.session, owner.id, for_update=True)}
    loc = ("body", "ruleIds")
    duplicates = sorted({i for i in request.rule_ids if request.rule_ids.count(i) > 1})
    unknown = [i for i in dict.fromkeys(request.rule_ids) if i not in current]
    missing = [i for i in current if i not in request.rule_ids]
    refuse(
        "ruleIds must list every rule of the step exactly once",
        [
            *([field_error(loc, f"listed more than once: {', '.join(duplicates)}")] if duplicates else []),
            *([field_error(loc, f"not rules of this step: {', '.join(unknown)}")] if unknown else []),
            *([field_error(loc, f"rules of this step left out: {', '.join(missing)}")] if missing else []),
        ],
    )
    now = utcnow()
    for position, rule_id in enumerate(request.rule_ids):
        if current[rule_id].priority != position:
            _publish(
                uow,
                contract.AUTO_ACTION_RULE_UPDATED,
                await rules.update(uow.session, rule_id, priority=position, updated_at=now),
            )
    return contract.AutoActionRuleList(data=[rules.to_rule(r) for r in await rules.rules_of(uow.session, owner.id)])


async def dry_run_auto_action_rules(
    request: contract.TestAutoActionRules, uow: UnitOfWork
) -> contract.AutoActionRuleTest:
    """A dry run. With ``ruleId`` only that rule is tried, and it would act even when inactive."""
    owner = await _step(uow, request.step_id)
    candidates = [rules.to_domain(r) for r in await rules.rules_of(uow.session, owner.id)]
    if request.rule_id is not None:
        candidates = [r for r in candidates if r.id == request.rule_id]
        if not candidates:
            raise NotFound(f"auto-action rule {request.rule_id} not found on step {owner.id}")
    results = [
        contract.RuleTestOutcome(
            rule_id=r.id, rule_name=r.name, is_active=r.is_active, matched=evaluate(r.condition, request.data)
        )
        for r in candidates
    ]
    acting = candidates if request.rule_id is not None else [r for r in candidates if r.is_active]
    match = first_matching_rule([_as_active(r) for r in acting], request.data)
    return contract.AutoActionRuleTest(match=_match(match), results=results)


def _as_active(rule: Rule) -> Rule:
    return rule if rule.is_active else dataclasses.replace(rule, is_active=True)


def _match(rule: Rule | None) -> contract.RuleMatch | None:
    if rule is None:
        return None
    return contract.RuleMatch(
        rule_id=rule.id,
        rule_name=rule.name,
        action_type=rule.action_type,
        approval_action=APPROVAL_FOR[rule.action_type],
    )
