"""How deep a JSON document nests, found without parsing it.

A JSON parser recurses once per level, and so do the walks after it (validation, the NUL check,
serialising a reply): a body of 10,000 nested arrays ends in ``RecursionError`` or a parser's own
refusal long before it is a value. So every request body, at the gateway and on the bus, is
refused past ``MAX_JSON_DEPTH`` levels before anything parses it. No contract comes near it (a
compound condition of the condition language costs two levels per nesting), and it keeps every
later recursive walk far below Python's recursion limit.
"""

import re
from collections.abc import Sequence

from plenary_contracts.errors import FieldError, ValidationFailed

MAX_JSON_DEPTH = 64

# A string, escapes and all; one left open runs to the end, so no quote is ever scanned twice.
_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"?', re.DOTALL)
_NOT_A_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_OPENERS = frozenset(b"[{")


def json_depth_exceeds(data: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether ``data`` opens more than ``limit`` arrays or objects inside each other.

    Brackets inside strings do not count. Linear in the size of ``data`` and never recursive;
    malformed JSON gets an answer too (its parser refuses it afterwards).
    """
    if data.count(b"[") + data.count(b"{") <= limit:
        return False
    depth = 0
    for byte in _STRING.sub(b"", data).translate(None, _NOT_A_BRACKET):
        if byte in _OPENERS:
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def check_json_depth(data: bytes, loc: Sequence[str | int] = (), limit: int = MAX_JSON_DEPTH) -> None:
    """Refuse ``data`` (a ``ValidationFailed`` naming ``loc``) when it nests deeper than ``limit``."""
    if json_depth_exceeds(data, limit):
        raise ValidationFailed(
            "request failed validation",
            errors=[FieldError(loc=list(loc), msg=f"JSON may nest at most {limit} levels", type="json_too_deep")],
        )
