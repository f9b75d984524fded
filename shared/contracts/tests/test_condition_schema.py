"""The condition language is documented: the JSON Schema the gateway builds its OpenAPI document from
(request and reply models, refs under components) spells out both shapes and every operator."""

from pydantic.json_schema import models_json_schema

from plenary_contracts.catalog import workflow as contract

OPERATORS = ["eq", "neq", "empty", "notEmpty", "gt", "lt", "gte", "lte", "contains", "in", "notIn"]


def _schemas() -> dict:
    pairs = [
        (contract.CreateAutoActionRule, "validation"),
        (contract.AutoActionRule, "serialization"),
        (contract.CreateStep, "validation"),
        (contract.Step, "serialization"),
        (contract.ConvertCondition, "validation"),
    ]
    _, top = models_json_schema(pairs, ref_template="#/components/schemas/{model}")
    return top["$defs"]


def _condition_refs(schema: dict) -> set[str]:
    choices = next(c for c in schema.get("anyOf", [schema]) if "oneOf" in c)
    assert choices["discriminator"]["propertyName"] == "type"
    return {c["$ref"].rsplit("/", 1)[-1] for c in choices["oneOf"]}


def test_a_simple_condition_lists_every_operator_and_a_compound_nests_conditions():
    schemas = _schemas()
    simple = schemas["SimpleCondition"]
    assert simple["properties"]["operator"]["enum"] == OPERATORS
    assert simple["properties"]["type"]["const"] == "simple" and simple["required"] == ["type", "field", "operator"]
    compound = schemas["CompoundCondition-Input"]
    assert compound["properties"]["operator"]["enum"] == ["and", "or"]
    assert _condition_refs(compound["properties"]["conditions"]["items"]) == {
        "SimpleCondition",
        "CompoundCondition-Input",
    }


def test_routes_rules_and_conversion_refer_to_the_condition_shapes():
    schemas = _schemas()
    named = {name.split("-")[0]: schema for name, schema in schemas.items()}  # -Input/-Output: one of them will do
    for model, field in [
        ("CreateAutoActionRule", "conditionExpression"),
        ("AutoActionRule", "conditionExpression"),
        ("ConditionalRoute", "condition"),
        ("ConvertCondition", "condition"),
    ]:
        refs = _condition_refs(named[model]["properties"][field])
        assert {r.split("-")[0] for r in refs} == {"SimpleCondition", "CompoundCondition"}, model


def test_a_condition_stays_plain_json_as_written():
    written = {
        "type": "compound",
        "operator": "or",
        "conditions": [{"type": "simple", "field": "x", "operator": "empty"}],
    }
    rule = contract.CreateAutoActionRule.model_validate(
        {"stepId": "s", "name": "n", "actionType": "AUTO_APPROVE", "conditionExpression": written}
    )
    assert rule.condition_expression == written
    assert rule.model_dump(mode="json", by_alias=True)["conditionExpression"] == written
