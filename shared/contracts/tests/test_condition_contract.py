"""The models the API documents describe the language the evaluator speaks: the same operators, no
more, no fewer."""

from typing import get_args

from plenary_contracts.conditions import COMPOUND_OPERATORS, OPERATORS
from plenary_contracts.conditions.shapes import CompoundCondition, ConditionOperator


def test_the_documented_operators_are_the_evaluators():
    assert list(get_args(ConditionOperator)) == list(OPERATORS)
    assert set(get_args(CompoundCondition.model_fields["operator"].annotation)) == set(COMPOUND_OPERATORS)
