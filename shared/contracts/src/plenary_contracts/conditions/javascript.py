"""JavaScript's coercions, which the condition language compares with: ``String(x)`` and ``Number(x)``.

Conditions were first evaluated by a JavaScript engine; the saved ones keep their meaning by
coercing exactly as it did (``String(1e21)`` is ``"1e+21"``, ``Number(" 0x1f ")`` is 31).
"""

import math
import re
from collections.abc import Mapping
from typing import Any

# ECMAScript WhiteSpace and LineTerminator, what String.prototype.trim() and Number() strip.
# Not str.strip()'s set: Python also strips \x1c-\x1f and \x85 and keeps \ufeff.
JS_WHITESPACE = "\t\n\v\f\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff" + "".join(map(chr, range(0x2000, 0x200B)))
_DECIMAL_LITERAL = re.compile(r"[+-]?(?:Infinity|(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)")
_RADIX_LITERAL = re.compile(r"0(?:[xX][0-9a-fA-F]+|[oO][0-7]+|[bB][01]+)")
_RADIX = {"x": 16, "o": 8, "b": 2}
_EXACT_INT = 2**53  # below this every integer is a double and prints as its digits


def js_string(value: Any) -> str:
    """JavaScript ``String(value)``; ``None`` is ``null`` (an undefined array element joins as "")."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value) if -_EXACT_INT < value < _EXACT_INT else _number_to_string(_int_to_float(value))
    if isinstance(value, float):
        return _number_to_string(value)
    if isinstance(value, list | tuple):
        return ",".join("" if item is None else js_string(item) for item in value)
    if isinstance(value, Mapping):
        return "[object Object]"
    return str(value)


def js_number(value: Any) -> float:
    """JavaScript ``Number(value)``, NaN included."""
    if value is None or value is False:
        return 0.0
    if value is True:
        return 1.0
    if isinstance(value, int):
        return _int_to_float(value)
    if isinstance(value, float):
        return value
    if isinstance(value, str):
        return _string_to_number(value)
    if isinstance(value, list | tuple):
        return _string_to_number(js_string(value))
    return math.nan


def js_number_or_zero(value: Any) -> float | int:
    """``Number(value)`` with NaN read as 0, as the ordering operators compare; ints stay ints when exact."""
    if value.__class__ is int and -_EXACT_INT < value < _EXACT_INT:
        return value
    number = js_number(value)
    return 0 if number != number else number


def _int_to_float(value: int) -> float:
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def _string_to_number(text: str) -> float:
    text = text.strip(JS_WHITESPACE)
    if not text:
        return 0.0
    if _DECIMAL_LITERAL.fullmatch(text):
        if text.endswith("Infinity"):
            return -math.inf if text[0] == "-" else math.inf
        return float(text)
    if _RADIX_LITERAL.fullmatch(text):
        return _int_to_float(int(text[2:], _RADIX[text[1].lower()]))
    return math.nan


def _number_to_string(value: float) -> str:
    """ECMAScript Number::toString: shortest round-trip digits, exponent outside 1e-7..1e21."""
    if value != value:
        return "NaN"
    if value == 0:
        return "0"
    if value < 0:
        return "-" + _number_to_string(-value)
    if value == math.inf:
        return "Infinity"
    if value < _EXACT_INT and value.is_integer():
        return str(int(value))
    # repr() gives the same shortest digits; only the layout differs.
    mantissa, _, exponent = repr(value).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction
    point = len(whole) + (int(exponent) if exponent else 0)  # value = 0.digits * 10**point
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    count = len(digits)
    if count <= point <= 21:
        return digits + "0" * (point - count)
    if 0 < point <= 21:
        return digits[:point] + "." + digits[point:]
    if -6 < point <= 0:
        return "0." + "0" * -point + digits
    sign = "+" if point > 0 else "-"
    head = digits[0] if count == 1 else digits[0] + "." + digits[1:]
    return f"{head}e{sign}{abs(point - 1)}"


def holds_nothing(value: Any) -> bool:
    """What the empty operator matches: null, whitespace-only text (JavaScript's trim) or an empty list."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip(JS_WHITESPACE)
    if isinstance(value, list | tuple):
        return not value
    return False


def lowered_text(value: Any) -> str:
    return (value if value.__class__ is str else js_string(value)).lower()
