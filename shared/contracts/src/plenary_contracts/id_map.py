"""Ids in a copy: the new id of each copied row, and every reference inside JSON pointed at the copies.

A clone derives each new id from the operation and the old id instead of drawing a random one, so a copy
repeated after a crash or a retried command makes the same rows again (found by their ids, inserted once)
and answers with the same id map. The shape is a row id's (``plenary_kit.ids``): a letter and 23 base36
digits."""

import hashlib
from typing import Any

_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
_LENGTH = 24


def derived_id(operation_id: str, old_id: str) -> str:
    n = int.from_bytes(hashlib.sha256(f"{operation_id}:{old_id}".encode()).digest()[:16], "big")
    n, first = divmod(n, 26)
    chars = [_LETTERS[first]]
    for _ in range(_LENGTH - 1):
        n, digit = divmod(n, 36)
        chars.append(_DIGITS[digit])
    return "".join(chars)


def remap_id(value: str | None, id_map: dict[str, str]) -> str | None:
    """The new id of a reference; an id the map does not know (or none) gives None: a copy never points
    back into the source."""
    return None if value is None else id_map.get(value)


def remap_json(value: Any, id_map: dict[str, str]) -> Any:
    """A deep copy of JSON in which every string equal to a mapped old id is its new id; keys are kept as
    they are, and other strings too (an id of something outside the copy, such as a user, stays)."""
    if isinstance(value, str):
        return id_map.get(value, value)
    if isinstance(value, dict):
        return {k: remap_json(v, id_map) for k, v in value.items()}
    if isinstance(value, list):
        return [remap_json(v, id_map) for v in value]
    return value
