"""workflow's timer: SLA warnings and breaches, and branch timeouts, swept every few seconds."""

from plenary_kit.db import drain
from plenary_kit.logging import get_logger
from plenary_kit.service import Runtime

from ..application.parallel import Parallel
from ..application.sla import SlaTimers

log = get_logger(__name__)


def register(runtime: Runtime, *, sla: SlaTimers, parallel: Parallel) -> None:
    async def sweep() -> None:
        for step in (sla.warn_next, sla.breach_next, parallel.time_out_next_branch):
            try:
                await drain(runtime.uow, step)
            except Exception:  # one failing kind of timer must not hold up the others
                log.exception("timer sweep failed", sweep=step.__qualname__)

    runtime.every(runtime.base_settings.workflow_timer_seconds, sweep)
