"""If-Match on single resources: the gateway forwards the header, the owning service compares."""

from datetime import datetime

from plenary_contracts.access import etag_of, if_match_holds
from plenary_contracts.errors import PreconditionFailed

from . import context as ctx


def require_if_match(updated_at: datetime) -> None:
    """Raise 412 when the request's If-Match names another version than the row's current one.

    Call it after reading the row ``FOR UPDATE`` so the check and the write see the same version.
    """
    current = etag_of(updated_at)
    if not if_match_holds(ctx.current().if_match, current):
        raise PreconditionFailed(
            "the resource changed since it was read (If-Match does not match)", details={"etag": current}
        )
