"""The contract documents the language the evaluator speaks: the same operators, no more, no fewer."""

from typing import get_args

from workflow_svc.domain.conditions import COMPOUND_OPERATORS, OPERATORS

from plenary_contracts.catalog import workflow as contract


def test_the_documented_operators_are_the_evaluators():
    assert list(get_args(contract.ConditionOperator)) == list(OPERATORS)
    assert set(get_args(contract.CompoundCondition.model_fields["operator"].annotation)) == set(COMPOUND_OPERATORS)
