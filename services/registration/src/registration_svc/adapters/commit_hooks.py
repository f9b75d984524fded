"""Work that must wait until a unit of work's transaction has committed."""

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession


def after_commit(session: AsyncSession, callback: Callable[[], None]) -> None:
    """Call ``callback`` once, right after ``session``'s transaction commits (never if it rolls back)."""
    sa.event.listen(session.sync_session, "after_commit", lambda _session: callback(), once=True)
