"""SLA timers: a warning, then a breach and its action, once per arrival at a step.

The times are set on arrival (``sla_warn_at``, ``sla_due_at``); the sweep claims due rows with
SKIP LOCKED and stamps them in the same transaction, so restarts and replicas never fire one twice.
A breach's action runs in a savepoint: when the engine refuses it, the breach is still recorded and
the assignee told, rather than the same row failing every sweep.
"""

from plenary_contracts.catalog import workflow as contract
from plenary_contracts.catalog.identity import SYSTEM_USER_ID
from plenary_contracts.enums import SlaAction
from plenary_contracts.errors import PlenaryError
from plenary_contracts.flags import FlagKey
from plenary_kit import context as ctx
from plenary_kit.db import UnitOfWork
from plenary_kit.logging import get_logger

from ..adapters import progress_repository as progress
from ..adapters.records import Participant
from ..domain.sla import breach_action
from ..domain.snapshot import SnapshotStep
from .actions import Acting, Engine

log = get_logger(__name__)


class SlaTimers:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    async def warn_next(self, uow: UnitOfWork) -> bool:
        row = await progress.next_to_warn(uow.session)
        if row is None:
            return False
        await progress.stamp_warned(uow.session, row.id)
        with ctx.acting(tenant_id=row.tenant_id, actor_id=SYSTEM_USER_ID):
            notice = await self._notice(uow, row, None)
            uow.publish(contract.SLA_WARNING, notice, subject=row.id)
            if notice.assignee_id:
                self._notify(
                    uow, notice, "SLA warning", f"{notice.participant_name} is close to the SLA at {notice.step_name}"
                )
        return True

    async def breach_next(self, uow: UnitOfWork) -> bool:
        row = await progress.next_to_breach(uow.session)
        if row is None:
            return False
        await progress.stamp_breached(uow.session, row.id)
        snapshot = await self.engine.snapshot(uow, row.workflow_version_id)
        step = snapshot.step(row.current_step_id) if snapshot else None
        with ctx.acting(tenant_id=row.tenant_id, actor_id=SYSTEM_USER_ID):
            notice = await self._notice(uow, row, step.sla_action if step else None)
            uow.publish(contract.SLA_BREACHED, notice, subject=row.id)
            if step is None or not await self._take_breach_action(uow, row, step, notice):
                if notice.assignee_id:
                    self._notify(
                        uow, notice, "SLA breached", f"{notice.participant_name} passed the SLA at {notice.step_name}"
                    )
        return True

    async def _take_breach_action(
        self, uow: UnitOfWork, row: Participant, step: SnapshotStep, notice: contract.SlaNotice
    ) -> bool:
        """Run the step's SLA action; False when there is none to run (NOTIFY) or it could not run."""
        if notice.sla_action is SlaAction.REASSIGN:
            if not self.engine.flag_on(FlagKey.STEP_ASSIGNMENT):
                return False
            return await self.engine.assign_reviewer(uow, row, step.id, exclude=notice.assignee_id) is not None
        action = breach_action(step)
        if action is None:
            return False
        try:
            async with uow.savepoint():
                await self.engine.act(
                    uow,
                    row.id,
                    action,
                    Acting(
                        actor_id=SYSTEM_USER_ID,
                        remarks=f"SLA breached at {notice.step_name}",
                        expected_version=row.version,
                        metadata={"slaBreach": True, "slaAction": step.sla_action},
                    ),
                )
        except PlenaryError as refused:
            log.warning("SLA action refused by the engine", participant_id=row.id, reason=refused.message)
            return False
        return True

    async def _notice(
        self, uow: UnitOfWork, row: Participant, sla_action: SlaAction | str | None
    ) -> contract.SlaNotice:
        snapshot = await self.engine.snapshot(uow, row.workflow_version_id)
        step = snapshot.step(row.current_step_id) if snapshot else None
        return contract.SlaNotice(
            participant_id=row.id,
            participant_name=progress.name_of(row),
            event_id=row.event_id,
            workflow_id=row.workflow_id,
            step_id=row.current_step_id,
            step_name=step.name if step else row.current_step_id,
            due_at=row.sla_due_at,
            sla_action=sla_action,
            assignee_id=await progress.current_assignee(uow.session, row.id, row.current_step_id),
        )

    @staticmethod
    def _notify(uow: UnitOfWork, notice: contract.SlaNotice, title: str, message: str) -> None:
        assert notice.assignee_id is not None
        uow.publish(
            contract.NOTIFICATION_REQUESTED,
            contract.NotificationRequested(
                user_id=notice.assignee_id,
                type="sla",
                title=title,
                message=message,
                data={"participantId": notice.participant_id, "stepId": notice.step_id},
            ),
            subject=notice.assignee_id,
        )
