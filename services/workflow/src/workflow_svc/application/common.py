"""What every workflow use case needs: the caller's tenant and identity, the clock, and 422s from problems."""

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from plenary_contracts.catalog.identity import SYSTEM_USER_ID
from plenary_contracts.errors import BadRequest, FieldError, ValidationFailed
from plenary_kit import context as ctx

Loc = Sequence[str | int]


def tenant() -> str:
    """The caller's tenant; a global admin must pick one, as every workflow row belongs to a tenant."""
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


def refuse(message: str, errors: Iterable[FieldError]) -> None:
    """Raise 422 with every field error, when there is any."""
    found = list(errors)
    if found:
        raise ValidationFailed(message, errors=found)


def condition_errors(prefix: Loc, problems: Iterable[tuple[Loc, str]]) -> list[FieldError]:
    """``condition_problems`` output as field errors whose location starts at ``prefix``."""
    return [field_error([*prefix, *path], message) for path, message in problems]
