"""The condition language: one small JSON language for "does this record match?", shared by workflow
routing and auto-action rules, view filters, communication audiences and webhook filters.

Shapes
    A condition is plain JSON, one of two shapes nested to any depth (at most 10 levels and 100
    conditions in all)::

        {"type": "simple", "field": "nationality", "operator": "in", "value": ["FR", "BE"]}
        {"type": "compound", "operator": "and" | "or", "conditions": [<condition>, ...]}

    A missing condition (``None``) is true, and so is a compound with no conditions.

Field paths
    ``field`` is one flat key of the data dict the condition is evaluated against (for a participant,
    its fields merged with its extras: ``firstName``, ``nationality``, an extra's key). There are no
    dotted paths: ``"address.city"`` is refused. A key the data does not hold reads as null.

Operators
    ==================  ===================================================================
    eq, neq             equal as text, case-insensitive (``"1"`` eq ``1``); eq null: null or missing
    gt, lt, gte, lte    as numbers (text that is no number reads as 0); dates as instants
    contains            the value is a case-insensitive substring of the field as text
    in, notIn           the field as text is (not) one of a list's items, case-insensitive
    empty, notEmpty     null, missing, whitespace-only text or an empty list; no value
    and, or             (compound) every / any nested condition holds
    ==================  ===================================================================

    Values compare with JavaScript's ``String()`` and ``Number()`` coercions (``javascript``), so
    conditions written for a JavaScript evaluator keep their meaning. Dates are the one exception:
    for a field typed DATE or DATETIME, eq/neq and the ordering operators read each side that is
    an ISO 8601 date or datetime as an instant (a date alone is midnight UTC, a datetime without
    offset is UTC); a side that does not parse keeps the coercion. When the field's type is
    unknown, the same holds when both sides are ISO dates. A field of any other known type keeps
    the coercion.

Field types
    Given the data's field types, ``allowed_operators`` says which operators each type accepts
    (numbers and dates: ordering; booleans: equality and emptiness; choices: in/notIn; the rest:
    contains as well). Fields of unknown type accept every operator: extras are free-form.

Using it
    ``condition_problems(condition, field_types)`` lists what is wrong, as (location, message) pairs
    such as ``(("conditions", 1, "operator"), "must be one of eq, ...")``, empty when valid.
    A malformed condition evaluates as true, so check before storing. ``compile_condition`` turns a
    condition into a predicate over data dicts (compile once, apply to many records); ``evaluate``
    does both at once. ``canonical`` gives a valid condition's one spelling, and ``json_logic``
    converts to and from JSON Logic (jsonlogic.com).

The modules here are plain Python; ``shapes`` holds the same language as pydantic models, for the
JSON Schema the API documents (a test holds its operators equal to ``OPERATORS``).
"""

from .dates import iso_to_epoch_ms
from .evaluation import compile_condition, evaluate
from .javascript import js_number, js_string
from .json_logic import from_json_logic, to_json_logic
from .operators import (
    COMPOUND_OPERATORS,
    MAX_DEPTH,
    MAX_NODES,
    OPERATORS,
    Condition,
    Predicate,
    Problem,
    allowed_operators,
)
from .validation import canonical, condition_problems, copy_value

__all__ = [
    "COMPOUND_OPERATORS",
    "MAX_DEPTH",
    "MAX_NODES",
    "OPERATORS",
    "Condition",
    "Predicate",
    "Problem",
    "allowed_operators",
    "canonical",
    "compile_condition",
    "condition_problems",
    "copy_value",
    "evaluate",
    "from_json_logic",
    "iso_to_epoch_ms",
    "js_number",
    "js_string",
    "to_json_logic",
]
