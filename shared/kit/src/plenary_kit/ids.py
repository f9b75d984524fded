"""Row ids and event ids.

A row id is 24 characters: a lowercase letter, then 23 base36 digits, from 128 bits of the operating
system's random source (about 123 of them kept). That is cuid2's shape (ids made before still fit every
column and check), without its cost: the cuid2 library drew its entropy one system call at a time and
took about 70 µs an id on this machine, which a 100,000-row import paid for every row and key. Ids carry
no time and no order, so they tell nothing about when or how many were made. Event ids are UUIDs.
"""

import os
from uuid import UUID, uuid4

_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
LENGTH = 24


def new_id() -> str:
    n = int.from_bytes(os.urandom(16), "big")
    n, first = divmod(n, 26)
    chars = [_LETTERS[first]]
    for _ in range(LENGTH - 1):
        n, digit = divmod(n, 36)
        chars.append(_DIGITS[digit])
    return "".join(chars)


def new_event_id() -> UUID:
    return uuid4()
