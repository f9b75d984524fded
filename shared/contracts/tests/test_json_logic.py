import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plenary_contracts.conditions import MAX_DEPTH, MAX_NODES, OPERATORS, canonical, condition_problems
from plenary_contracts.conditions.json_logic import from_json_logic, to_json_logic


def simple(field, operator, value=None):
    return {"type": "simple", "field": field, "operator": operator, "value": value}


def compound(operator, *conditions):
    return {"type": "compound", "operator": operator, "conditions": list(conditions)}


F = {"var": "f"}

TRANSLATIONS = [
    (None, True),
    (simple("f", "eq", "a"), {"==": [F, "a"]}),
    (simple("f", "neq", None), {"!=": [F, None]}),
    (simple("f", "gt", 1), {">": [F, 1]}),
    (simple("f", "lt", 1.5), {"<": [F, 1.5]}),
    (simple("f", "gte", "2024-01-01"), {">=": [F, "2024-01-01"]}),
    (simple("f", "lte", True), {"<=": [F, True]}),
    (simple("f", "in", ["a", 1, None]), {"in": [F, ["a", 1, None]]}),
    (simple("f", "notIn", []), {"!": {"in": [F, []]}}),
    (simple("f", "contains", "sub"), {"in": ["sub", F]}),
    (simple("f", "contains", ["a", "b"]), {"in": [["a", "b"], F]}),
    (simple("f", "empty"), {"empty": [F]}),
    (simple("f", "notEmpty"), {"!": {"empty": [F]}}),
    (simple("f", "eq", [1, [2]]), {"==": [F, [1, [2]]]}),
    (compound("and"), {"and": [True]}),
    (compound("or"), {"or": [True]}),
    (
        compound("or", simple("f", "eq", 1), compound("and", simple("g", "empty"), compound("or"))),
        {"or": [{"==": [F, 1]}, {"and": [{"empty": [{"var": "g"}]}, {"or": [True]}]}]},
    ),
]


@pytest.mark.parametrize(("condition", "expression"), TRANSLATIONS)
def test_each_operator_has_its_json_logic_form(condition, expression):
    assert to_json_logic(condition) == expression
    assert from_json_logic(expression) == condition


def test_to_json_logic_refuses_an_unknown_operator():
    with pytest.raises(ValueError, match=r"at operator: must be one of"):
        to_json_logic(simple("f", "startsWith", "x"))


def test_to_json_logic_refuses_an_invalid_condition_with_every_problem():
    with pytest.raises(ValueError, match=r"at conditions/0/field: .*; at conditions/1/value: must be a list for in"):
        to_json_logic(compound("and", simple("", "eq"), simple("f", "in", "x")))


def test_to_json_logic_gives_the_canonical_form_of_a_loose_condition():
    loose = compound("and", {"type": "simple", "field": "f", "operator": "eq"}, simple("g", "notEmpty", "ignored"))
    assert from_json_logic(to_json_logic(loose)) == canonical(loose)
    assert canonical(loose) != loose


def test_converted_lists_are_copies():
    condition = simple("f", "in", [1, [2]])
    expression = to_json_logic(condition)
    expression["in"][1][1].append(3)
    assert condition["value"] == [1, [2]]


def test_from_json_logic_takes_the_other_spellings_of_var_and_not():
    assert from_json_logic({"==": [{"var": ["f"]}, 1]}) == simple("f", "eq", 1)
    assert from_json_logic({"!": [{"in": [F, [1]]}]}) == simple("f", "notIn", [1])
    assert from_json_logic({"empty": F}) == simple("f", "empty")
    assert from_json_logic({"!": {"empty": F}}) == simple("f", "notEmpty")


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        (False, "at the top level: must be an object with exactly one operation"),
        ({"and": []}, "at and: an empty and means false to some engines"),
        ({"or": [True, {"==": [F, 1]}]}, "at or/0: true stands only for"),
        ({"and": {"==": [F, 1]}}, "at and: must be a list"),
        ({"==": [F, 1], "!=": [F, 2]}, "at the top level: must be an object with exactly one operation"),
        ({"===": [F, 1]}, "at the top level: operation '===' is not supported"),
        ({"==": [F]}, "at ==: takes a list of exactly two operands"),
        ({"<": [1, F, 3]}, "at <: takes a list of exactly two operands"),
        ({">": [1, F]}, 'at >/0: must be {"var": field}'),
        ({"==": [F, {"var": "g"}]}, "at ==/1: must be a literal"),
        ({"==": [F, {"a": 1}]}, "at ==/1: must be a literal"),
        ({"==": [F, [1, math.inf]]}, "at ==/1/1: must be a finite number"),
        ({"==": [{"var": "a.b"}, 1]}, "at ==/0/var: must be a flat key; dot paths are not supported"),
        ({"==": [{"var": ""}, 1]}, "at ==/0/var: must name a field"),
        ({"==": [{"var": ["f", "default"]}, 1]}, "at ==/0/var: takes exactly one operand"),
        ({"in": [F, "text"]}, "at in/1: must be a list when the field comes first"),
        ({"in": ["a", "b"]}, 'at in: one operand must be {"var": field}'),
        ({"!": {"==": [F, 1]}}, 'at !: "!" is supported only around'),
        ({"!": {"in": ["a", F]}}, 'at !: "!" is supported only around'),
        ({"!": [{"empty": [F]}, 1]}, "at !: takes exactly one operand"),
        ({"empty": [F, F]}, "at empty: takes exactly one operand"),
        ({"and": [{"or": [{"==": [{"var": 3}, 1]}]}]}, "at and/0/or/0/==/0/var: must name a field"),
    ],
)
def test_from_json_logic_refuses_what_conditions_cannot_say(expression, message):
    with pytest.raises(ValueError) as refused:
        from_json_logic(expression)
    assert str(refused.value).startswith(message)


def test_from_json_logic_refuses_nesting_deeper_than_the_limit():
    expression = {"==": [F, 1]}
    for _ in range(MAX_DEPTH - 1):
        expression = {"and": [expression]}
    assert condition_problems(from_json_logic(expression)) == []
    with pytest.raises(ValueError, match="nests deeper than 10 levels"):
        from_json_logic({"and": [expression]})


def test_from_json_logic_refuses_more_nodes_than_the_limit():
    assert from_json_logic({"or": [{"==": [F, 1]}] * (MAX_NODES - 1)}) is not None
    with pytest.raises(ValueError, match="at the top level: has more than 100 conditions"):
        from_json_logic({"or": [{"==": [F, 1]}] * MAX_NODES})


# --- Round trips ------------------------------------------------------------------------------

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3), max_leaves=6)
fields = st.text(st.characters(exclude_characters="."), min_size=1, max_size=8)


@st.composite
def simple_conditions(draw):
    operator = draw(st.sampled_from(OPERATORS))
    if operator in ("empty", "notEmpty"):
        value = None
    elif operator in ("in", "notIn"):
        value = draw(st.lists(values, max_size=4))
    else:
        value = draw(values)
    return simple(draw(fields), operator, value)


def conditions(depth=1):
    if depth == MAX_DEPTH:
        return simple_conditions()
    compounds = st.builds(
        lambda operator, children: compound(operator, *children),
        st.sampled_from(["and", "or"]),
        st.lists(st.deferred(lambda: conditions(depth + 1)), max_size=3),
    )
    return st.one_of(simple_conditions(), compounds)


def valid_conditions():
    return (st.none() | conditions()).filter(lambda condition: not condition_problems(condition))


def exactly(value):
    """JSON text, so that True and 1 or 1 and 1.0 stay apart."""
    return json.dumps(value, sort_keys=True)


@given(valid_conditions())
def test_a_condition_survives_a_round_trip_through_json_logic(condition):
    assert exactly(from_json_logic(to_json_logic(condition))) == exactly(condition)


@given(valid_conditions())
def test_json_logic_from_a_condition_survives_a_round_trip(condition):
    expression = to_json_logic(condition)
    assert exactly(to_json_logic(from_json_logic(expression))) == exactly(expression)
    assert exactly(from_json_logic(json.loads(json.dumps(expression)))) == exactly(condition)
