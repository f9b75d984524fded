"""The condition language as pydantic models, so the API documents it.

A condition travels as plain JSON and the evaluator checks it whole (its errors say where:
``conditions[1].operator``), with what a shape cannot say: the operators a field's type allows, at
most 10 levels and 100 conditions, finite numbers. The operators listed here are the evaluator's
(a test holds them equal)."""

from typing import Annotated, Any, Literal

from pydantic import Field, GetJsonSchemaHandler, PlainValidator, StringConstraints, TypeAdapter

from ..model import Model

ConditionOperator = Literal["eq", "neq", "empty", "notEmpty", "gt", "lt", "gte", "lte", "contains", "in", "notIn"]
ConditionValue = str | int | float | bool | list[Any] | None


class SimpleCondition(Model):
    """``field operator value`` on the participant's data (its fields merged with its extras)."""

    model_config = {"extra": "forbid"}

    type: Literal["simple"]
    field: Annotated[str, StringConstraints(min_length=1, pattern=r"^[^.]+$")] = Field(
        description="A flat key of the participant's data (no dots): firstName, nationality, an extra field…"
    )
    operator: ConditionOperator = Field(
        description="eq/neq compare as text, case-insensitive; gt/lt/gte/lte as numbers (dates as instants); "
        "contains is a case-insensitive substring; in/notIn take a list; empty/notEmpty take no value."
    )
    value: ConditionValue = Field(None, description="A string, number, boolean or null; a list for in/notIn.")


class CompoundCondition(Model):
    """``and``/``or`` over nested conditions; no conditions at all is true."""

    model_config = {"extra": "forbid"}

    type: Literal["compound"]
    operator: Literal["and", "or"]
    conditions: list["ConditionShape"]


ConditionShape = Annotated[SimpleCondition | CompoundCondition, Field(discriminator="type")]
_SHAPE: TypeAdapter[Any] = TypeAdapter(ConditionShape)


def _json_object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError("a condition is an object: {type: simple|compound, ...}")
    return value


class _DocumentedAsConditionShape:
    """Plain JSON in Python and on the wire; in JSON Schema, the shapes above (requests and replies)."""

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: GetJsonSchemaHandler) -> Any:
        return handler(_SHAPE.core_schema)


Condition = Annotated[
    dict[str, Any],
    PlainValidator(_json_object, json_schema_input_type=ConditionShape),
    _DocumentedAsConditionShape,
]
"""A condition as a request or reply field: plain JSON in Python, the shapes above in JSON Schema; a
missing one is true."""
