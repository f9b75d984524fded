"""The condition language of conditional routing and auto-action rules.

The language is shared (view filters, audiences and webhook filters speak it too), so it lives in
``plenary_contracts.conditions``, which documents it; workflow uses it through these names.
"""

from plenary_contracts.conditions import (
    COMPOUND_OPERATORS,
    MAX_DEPTH,
    MAX_NODES,
    OPERATORS,
    Condition,
    Predicate,
    Problem,
    allowed_operators,
    canonical,
    compile_condition,
    condition_problems,
    copy_value,
    evaluate,
    iso_to_epoch_ms,
    js_number,
    js_string,
)

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
    "iso_to_epoch_ms",
    "js_number",
    "js_string",
]
