"""Small rules about what a request carries: correlation ids, user agents, tenant overrides, event ids."""

import re
from collections.abc import Mapping
from typing import Any

CORRELATION_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
TENANT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_USER_AGENT = 512
EVENT_ID = "eventId"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def safe_correlation_id(*candidates: str | None) -> str | None:
    """The first candidate safe to echo and log, if any."""
    for value in candidates:
        if value and CORRELATION_ID.match(value):
            return value
    return None


def clean_user_agent(value: str | None) -> str | None:
    if not value:
        return None
    return _CONTROL.sub("", value)[:MAX_USER_AGENT] or None


def event_id_of(*sources: Mapping[str, Any] | None) -> str | None:
    """The ``eventId`` a request names in its path, query or body (the first found)."""
    for source in sources:
        if source and isinstance(source.get(EVENT_ID), str):
            return source[EVENT_ID]
    return None


def acting_tenant(own_tenant: str | None, global_admin: bool, requested: str | None) -> str | None:
    """The tenant a request acts in; ``PermissionError`` when the caller may not act in the requested one.

    A global admin (a user without a tenant) may name any tenant (that it exists is checked apart);
    anyone else only their own.
    """
    if requested is None or requested == own_tenant:
        return own_tenant
    if global_admin:
        return requested
    raise PermissionError(requested)


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable_text_at(value: Any, path: tuple[str | int, ...] = ()) -> tuple[str | int, ...] | None:
    """Where a value holds text no service can keep (NUL, an unpaired surrogate), if anywhere.

    JSON allows both (``\\u0000``, ``\\ud800``), PostgreSQL text and UTF-8 do not.
    """
    if isinstance(value, str):
        return path if _UNSTORABLE.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            if _UNSTORABLE.search(str(key)):
                return (*path, str(key).encode("utf-8", "replace").decode())
            found = unstorable_text_at(item, (*path, key))
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = unstorable_text_at(item, (*path, index))
            if found is not None:
                return found
    return None
