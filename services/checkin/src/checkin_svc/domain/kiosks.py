"""Self-service kiosks: when one counts as offline, when a visitor's session has timed out, what a visitor
identifies themselves with, and the session statistics.

A kiosk sends a heartbeat every 30 seconds; one silent for 3 minutes is marked offline by the stale sweep
(every minute), so staff see a dead kiosk within 4 minutes whatever the number of replicas.

A visitor's session ends when the visitor finishes, or on the kiosk's own reset after 120 seconds idle. A
session the kiosk never ended (it crashed, lost its network, or the visitor walked off mid-reset) would stay
open for ever and skew the statistics, so the sweep ends it as timed out. The table records no activity
within a session, only its start: the start is the last activity known, so "idle past 120 s" means open and
started more than 120 seconds ago. Such a session is taken to have ended when the kiosk would have reset it,
120 seconds after it started, so its duration does not depend on when the sweep ran.
"""

from collections.abc import Mapping
from datetime import datetime, timedelta

OFFLINE_AFTER = timedelta(minutes=3)
IDLE_TIMEOUT = timedelta(seconds=120)

Problem = tuple[tuple[str, ...], str]


def offline_cutoff(now: datetime) -> datetime:
    """An online kiosk whose last heartbeat is older than this is offline."""
    return now - OFFLINE_AFTER


def idle_cutoff(now: datetime) -> datetime:
    """An open session started before this has timed out."""
    return now - IDLE_TIMEOUT


def timed_out_at(started_at: datetime) -> datetime:
    """When an abandoned session is taken to have ended: when the kiosk's idle reset would have ended it."""
    return started_at + IDLE_TIMEOUT


def exactly_one(given: Mapping[str, object | None]) -> list[Problem]:
    """A visitor identifies themselves one way at a time (an e-mail or a code; a badge or a code): both or
    neither is a mistake of the kiosk's, answered on every field named."""
    named = [name for name, value in given.items() if value is not None]
    if len(named) == 1:
        return []
    message = "give exactly one of " + " or ".join(given)
    return [((name,), message) for name in (named or list(given))]


def average_duration_seconds(ended_total_seconds: float, sessions: int) -> float:
    """The ended sessions' total duration over all sessions, open ones included (they count as zero): an
    open session has no duration yet, and leaving it out of the count would overstate the mean while
    kiosks are busy. 0 without any session."""
    return ended_total_seconds / sessions if sessions else 0.0
