"""Reading participants' progress: where one is, what was done to it, and who waits on whom."""

from collections import defaultdict

import sqlalchemy as sa

from plenary_contracts.catalog import workflow as contract
from plenary_contracts.enums import ParticipantStatus
from plenary_contracts.errors import NotFound
from plenary_kit.db import UnitOfWork, fetch_page

from ..adapters import progress_repository as progress
from ..adapters.tables import approval, participant, participant_assignment, step, workflow
from .common import actor, tenant
from .engine import Engine


class Queries:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    async def get_progress(self, request: contract.GetProgress, uow: UnitOfWork) -> contract.ParticipantProgress:
        row = await progress.get(uow.session, request.participant_id, tenant())
        if row is None:
            raise NotFound(f"participant {request.participant_id} not found")
        return await self.engine.progress_of(uow, row)

    async def list_approvals(self, request: contract.ListApprovals, uow: UnitOfWork) -> contract.ApprovalPage:
        if await progress.get(uow.session, request.participant_id, tenant()) is None:
            raise NotFound(f"participant {request.participant_id} not found")
        query = sa.select(approval).where(
            approval.c.participant_id == request.participant_id, approval.c.tenant_id == tenant()
        )
        rows, meta = await fetch_page(
            uow.session,
            query,
            request,
            {"createdAt": approval.c.created_at, "action": approval.c.action},
            approval.c.id,
        )
        return contract.ApprovalPage(data=[contract.Approval.model_validate(dict(r._mapping)) for r in rows], meta=meta)

    async def my_assignments(self, request: contract.ListMyAssignments, uow: UnitOfWork) -> contract.MyAssignments:
        rows = await uow.session.execute(
            sa.select(
                participant,
                participant_assignment.c.assigned_at,
                step.c.id.label("step_id"),
                step.c.name.label("step_name"),
                workflow.c.id.label("wf_id"),
                workflow.c.name.label("wf_name"),
            )
            .join(participant, participant.c.id == participant_assignment.c.participant_id)
            .join(step, step.c.id == participant_assignment.c.step_id)
            .join(workflow, workflow.c.id == step.c.workflow_id)
            .where(
                participant_assignment.c.user_id == actor(),
                participant_assignment.c.tenant_id == tenant(),
                participant_assignment.c.is_active,
                participant.c.current_step_id == participant_assignment.c.step_id,
                participant.c.status.in_((ParticipantStatus.PENDING, ParticipantStatus.IN_PROGRESS)),
                participant.c.deleted_at.is_(None),
            )
            .order_by(participant.c.sla_due_at.asc().nulls_last(), participant_assignment.c.assigned_at)
        )
        tree: dict[str, dict[str, dict[str, list]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
        names: dict[str, str] = {}
        for row in rows:  # already soonest deadline first; groups keep that order
            names[row.wf_id], names[row.step_id] = row.wf_name, row.step_name
            tree[row.event_id][row.wf_id][row.step_id].append(
                contract.AssignedParticipant(
                    participant_id=row.id,
                    name=progress.name_of(row),
                    registration_code=row.registration_code,
                    status=row.status,
                    assigned_at=row.assigned_at,
                    sla_due_at=row.sla_due_at,
                )
            )
        return contract.MyAssignments(
            data=[
                contract.AssignedEventGroup(
                    event_id=event_id,
                    workflows=[
                        contract.AssignedWorkflowGroup(
                            workflow_id=wf_id,
                            workflow_name=names[wf_id],
                            steps=[
                                contract.AssignedStepGroup(step_id=sid, step_name=names[sid], participants=people)
                                for sid, people in steps.items()
                            ],
                        )
                        for wf_id, steps in workflows.items()
                    ],
                )
                for event_id, workflows in tree.items()
            ]
        )
