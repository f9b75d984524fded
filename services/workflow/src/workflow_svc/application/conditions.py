"""Condition conversion: validate one form, answer with both (the condition language and JSON Logic).

The condition comes back in its canonical spelling (every key present, no value for empty/notEmpty),
which is what a round trip through JSON Logic yields; its meaning is unchanged."""

from plenary_contracts.catalog import workflow as contract
from plenary_contracts.conditions import canonical, condition_problems
from plenary_contracts.conditions.json_logic import from_json_logic, to_json_logic
from plenary_contracts.errors import ValidationFailed
from plenary_kit.db import UnitOfWork

from .common import field_error, located, refuse


async def convert_condition(request: contract.ConvertCondition, uow: UnitOfWork) -> contract.ConditionForms:
    if request.condition is not None:
        refuse(
            "the condition is not valid",
            located(("body", "condition"), condition_problems(request.condition)),
        )
        condition = canonical(request.condition)
    else:
        try:
            condition = from_json_logic(request.json_logic)
        except ValueError as error:
            raise ValidationFailed(
                "the JSON Logic expression cannot be converted", errors=[field_error(("body", "jsonLogic"), str(error))]
            ) from error
    return contract.ConditionForms(condition=condition, json_logic=to_json_logic(condition))
