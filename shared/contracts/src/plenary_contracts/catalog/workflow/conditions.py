"""workflow: converting a routing condition between its forms."""

from typing import Any

from pydantic import model_validator

from ...conditions.shapes import Condition
from ...errors import ErrorCode
from ...model import Model
from ._common import _WF_READ, _qry, _route


class ConvertCondition(Model):
    """Give one form; the reply carries both."""

    condition: Condition | None = None
    json_logic: Any = None

    @model_validator(mode="after")
    def _one_form(self) -> "ConvertCondition":
        if (self.condition is None) == (self.json_logic is None):
            raise ValueError("give exactly one of condition or jsonLogic")
        return self


class ConditionForms(Model):
    condition: Condition | None
    json_logic: Any


# --- operations ----------------------------------------------------------------------------------

CONVERT_CONDITION = _qry(
    "convert_condition", ConvertCondition, ConditionForms,
    "Validate a condition and convert it to or from JSON Logic (lossless).",
    errors=(ErrorCode.VALIDATION_ERROR,), permission=_WF_READ,
    http=_route("POST", "/workflow-conditions/convert", "Convert a condition", "conditions"),
)  # fmt: skip
