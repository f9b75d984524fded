"""Who a use case acts for: the caller's tenant and identity, the clock, and 422s built from problems."""

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from plenary_contracts.access import authorize, decode_grants
from plenary_contracts.catalog.identity import SYSTEM_USER_ID
from plenary_contracts.errors import BadRequest, FieldError, Forbidden, ValidationFailed
from plenary_contracts.permissions import Permission

from . import context as ctx

Loc = Sequence[str | int]


def tenant() -> str:
    """The caller's tenant; a global admin must pick one (X-Tenant-Id) where every row belongs to a tenant."""
    tenant_id = ctx.current().tenant_id
    if tenant_id is None:
        raise BadRequest("a global admin must choose a tenant (X-Tenant-Id)")
    return tenant_id


def actor() -> str:
    """Who acts: the caller, or the system user for work nobody asked for directly."""
    return ctx.current().actor_id or SYSTEM_USER_ID


def utcnow() -> datetime:
    return datetime.now(UTC)


def field_error(loc: Loc, message: str) -> FieldError:
    return FieldError(loc=list(loc), msg=message, type="value_error")


def located(prefix: Loc, problems: Iterable[tuple[Loc, str]]) -> list[FieldError]:
    """A pure domain's problems (location, message) as field errors whose location starts at ``prefix``."""
    return [field_error([*prefix, *loc], message) for loc, message in problems]


def refuse(message: str, errors: Iterable[FieldError]) -> None:
    """Raise 422 with every field error, when there is any."""
    found = list(errors)
    if found:
        raise ValidationFailed(message, errors=found)


def require_grant(permission: Permission, event_id: str | None = None) -> None:
    """Check a permission the gateway could not: one that depends on the row's event (an EVENT-scoped
    role bound to another event is refused) or on the action. Calls without grants come from services."""
    context = ctx.current()
    if context.grants is not None and not authorize(
        decode_grants(context.grants), permission, actor_id=context.actor_id, event_id=event_id
    ):
        raise Forbidden(
            f"lacks required permission: {permission.code}" + (f" for event {event_id}" if event_id else "")
        )
