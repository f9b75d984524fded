"""What every workflow use case needs: the caller's tenant and identity, the clock, and 422s from problems."""

from collections.abc import Iterable

from plenary_contracts.errors import FieldError
from plenary_kit.acting import Loc, actor, field_error, refuse, tenant, utcnow

__all__ = ["Loc", "actor", "condition_errors", "field_error", "refuse", "tenant", "utcnow"]


def condition_errors(prefix: Loc, problems: Iterable[tuple[Loc, str]]) -> list[FieldError]:
    """``condition_problems`` output as field errors whose location starts at ``prefix``."""
    return [field_error([*prefix, *path], message) for path, message in problems]
