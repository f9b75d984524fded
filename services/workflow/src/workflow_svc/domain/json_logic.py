"""Conditions to and from JSON Logic; the conversion belongs to the shared condition language
(``plenary_contracts.conditions.json_logic`` documents the mapping)."""

from plenary_contracts.conditions.json_logic import from_json_logic, to_json_logic

__all__ = ["from_json_logic", "to_json_logic"]
