"""Who is acting and why, carried from a request or an event into everything it causes."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Context:
    tenant_id: str | None = None
    actor_id: str | None = None
    roles: tuple[str, ...] = ()
    correlation_id: str | None = None
    causation_id: str | None = None
    idempotency_key: str | None = None
    grants: str | None = None  # encoded role grants (plenary_contracts.access), for own/event checks
    credential: str | None = None  # "session:<id>" or "api_key:<id>"
    client_ip: str | None = None
    user_agent: str | None = None
    if_match: str | None = None
    lane: str | None = None  # streams.BULK_LANE inside a bulk operation and everything its events cause

    def caused_by(self, event_id: str) -> "Context":
        return replace(self, causation_id=event_id)


_NOBODY = Context()
_current: ContextVar[Context] = ContextVar("plenary_context", default=_NOBODY)


def current() -> Context:
    return _current.get()


def use(context: Context):  # type: ignore[no-untyped-def]
    """Set the context; returns the token for ``reset``."""
    return _current.set(context)


def reset(token) -> None:  # type: ignore[no-untyped-def]
    _current.reset(token)


@contextmanager
def acting(**changes: object) -> Iterator[Context]:
    """Run a block as someone else, e.g. ``with acting(tenant_id=t, actor_id=SYSTEM_USER_ID):`` in a timer
    or a consumer; the fields not named stay as they are (the correlation id keeps tracing the cause)."""
    context = replace(current(), **changes)  # type: ignore[arg-type]
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)
