"""Reading participants' progress: where one is, what was done to it, and who waits on whom."""

from collections import defaultdict

from plenary_contracts.catalog import workflow as contract
from plenary_contracts.errors import NotFound
from plenary_kit.db import UnitOfWork

from ..adapters import progress_repository as progress
from .actions import Engine
from .common import actor, tenant


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
        approvals, meta = await progress.page_approvals(uow.session, request.participant_id, tenant(), request)
        return contract.ApprovalPage(data=approvals, meta=meta)

    async def my_assignments(self, request: contract.ListMyAssignments, uow: UnitOfWork) -> contract.MyAssignments:
        rows = await progress.open_assignments(uow.session, actor(), tenant())
        tree: dict[str, dict[str, dict[str, list]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
        names: dict[str, str] = {}
        for row in rows:  # already soonest deadline first; groups keep that order
            names[row.workflow_id], names[row.step_id] = row.workflow_name, row.step_name
            tree[row.event_id][row.workflow_id][row.step_id].append(
                contract.AssignedParticipant(
                    participant_id=row.participant_id,
                    name=row.name,
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
