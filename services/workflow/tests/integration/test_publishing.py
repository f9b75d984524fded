"""Publishing over the bus: versions only when the snapshot changes, graph problems named, FORK gated."""

import asyncio

import pytest

from plenary_contracts.catalog import workflow as contract
from plenary_contracts.errors import BadRequest, Conflict, NotFound, ValidationFailed
from plenary_contracts.flags import FlagKey


async def _workflow(workflow, name: str = "Accreditation") -> contract.Workflow:
    return await workflow.call(contract.CREATE_WORKFLOW, {"eventId": "event-1", "name": name})


async def _step(workflow, workflow_id: str, order: int, **fields) -> contract.Step:
    body = {"workflowId": workflow_id, "name": f"Step {order}", "order": order} | fields
    return await workflow.call(contract.CREATE_STEP, body)


async def _two_steps(workflow) -> tuple[contract.Workflow, contract.Step, contract.Step]:
    created = await _workflow(workflow)
    last = await _step(workflow, created.id, 2, name="Badge", isTerminal=True)
    first = await _step(workflow, created.id, 1, name="Review", isEntryPoint=True, nextStepId=last.id)
    return created, first, last


async def _publish(workflow, workflow_id: str, **fields) -> contract.Publication:
    return await workflow.call(contract.PUBLISH_WORKFLOW, {"id": workflow_id} | fields)


async def test_publishing_freezes_the_steps_as_version_one(workflow):
    created, first, last = await _two_steps(workflow)
    published = await _publish(workflow, created.id, changeDescription="first cut")
    version = published.version
    assert published.created and version.version == 1 and version.change_description == "first cut"
    assert version.created_by == "admin-user" and len(version.snapshot_hash) == 64
    assert [s["id"] for s in version.snapshot["steps"]] == [first.id, last.id]
    assert version.snapshot["steps"][0]["isFinalStep"] is False and version.snapshot["steps"][1]["sortOrder"] == 2

    got = await workflow.call(contract.GET_WORKFLOW, {"id": created.id})
    assert (got.status, got.current_version) == ("PUBLISHED", 1)
    assert await workflow.call(contract.GET_WORKFLOW_VERSION, {"workflowId": created.id, "version": 1}) == version
    (updated,) = await workflow.events(contract.WORKFLOW_UPDATED)
    assert (updated["workflow"]["status"], updated["workflow"]["currentVersion"]) == ("PUBLISHED", 1)
    (event,) = await workflow.events(contract.WORKFLOW_PUBLISHED)
    assert event == {
        "workflowId": created.id,
        "eventId": "event-1",
        "name": "Accreditation",
        "versionId": version.id,
        "version": 1,
        "snapshotHash": version.snapshot_hash,
        "stepCount": 2,
    }


async def test_republishing_unchanged_steps_makes_no_version_and_a_change_makes_the_next(workflow):
    created, first, _ = await _two_steps(workflow)
    v1 = (await _publish(workflow, created.id)).version
    again = await _publish(workflow, created.id)
    assert (again.created, again.version) == (False, v1)

    renamed = {"workflowId": created.id, "stepId": first.id, "name": "Screening"}
    await workflow.call(contract.UPDATE_STEP, renamed)
    await workflow.call(contract.UPDATE_WORKFLOW, {"id": created.id, "status": "DRAFT"})
    v2 = await _publish(workflow, created.id)
    assert v2.created and v2.version.version == 2 and v2.version.snapshot_hash != v1.snapshot_hash
    assert v2.version.snapshot["steps"][0]["name"] == "Screening"

    listed = await workflow.call(contract.LIST_WORKFLOW_VERSIONS, {"workflowId": created.id, "sort": "version:asc"})
    assert [v.version for v in listed.data] == [1, 2] and listed.data[0] == v1
    assert [e["version"] for e in await workflow.events(contract.WORKFLOW_PUBLISHED)] == [1, 2]
    assert (await workflow.call(contract.GET_WORKFLOW, {"id": created.id})).status == "PUBLISHED"
    with pytest.raises(NotFound):
        await workflow.call(contract.GET_WORKFLOW_VERSION, {"workflowId": created.id, "version": 3})


async def test_concurrent_publishes_of_the_same_steps_make_one_version(workflow):
    created, _, _ = await _two_steps(workflow)
    results = await asyncio.gather(*(_publish(workflow, created.id) for _ in range(6)))
    assert sorted(r.created for r in results) == [False] * 5 + [True]
    assert {r.version.id for r in results} == {results[0].version.id}
    assert len(await workflow.events(contract.WORKFLOW_PUBLISHED)) == 1


async def test_graph_problems_are_refused_and_named_per_step(workflow):
    created = await _workflow(workflow)
    with pytest.raises(ValidationFailed) as empty:
        await _publish(workflow, created.id)
    assert [(e.loc, e.msg) for e in empty.value.errors] == [(["workflow"], "The workflow has no steps")]

    orphan = await _step(workflow, created.id, 3, name="Orphan", isTerminal=True)
    await _step(workflow, created.id, 1, name="Start", isEntryPoint=True)
    await _step(workflow, created.id, 2, name="Also start", isEntryPoint=True)
    with pytest.raises(ValidationFailed) as refused:
        await _publish(workflow, created.id)
    found = {(tuple(e.loc), e.msg) for e in refused.value.errors}
    assert (("steps", orphan.id), 'Step "Orphan" cannot be reached from the entry point') in found
    assert any(loc == ("workflow",) and "entry points" in msg for loc, msg in found)
    assert await workflow.events(contract.WORKFLOW_PUBLISHED) == []
    assert (await workflow.call(contract.GET_WORKFLOW, {"id": created.id})).status == "DRAFT"


async def _fork_flow(workflow) -> tuple[contract.Workflow, contract.Step]:
    created = await _workflow(workflow)
    done = await _step(workflow, created.id, 6, isTerminal=True)
    join = await _step(workflow, created.id, 5, stepType="JOIN", nextStepId=done.id, config={"strategy": "ALL"})
    left = await _step(workflow, created.id, 3)
    right = await _step(workflow, created.id, 4)
    fork = await _step(
        workflow,
        created.id,
        2,
        stepType="FORK",
        config={"branches": [{"branchStepId": left.id}, {"branchStepId": right.id}], "joinStepId": join.id},
    )
    await _step(workflow, created.id, 1, isEntryPoint=True, nextStepId=fork.id)
    return created, fork


async def test_a_fork_is_refused_while_parallel_workflows_are_off_and_published_when_on(workflow):
    created, fork = await _fork_flow(workflow)
    with pytest.raises(ValidationFailed) as refused:
        await _publish(workflow, created.id)
    assert [(e.loc, e.msg) for e in refused.value.errors] == [
        (["steps", fork.id], "FORK steps need parallel workflows: FF_PARALLEL_WORKFLOWS is off for this tenant")
    ]
    await workflow.flags(FlagKey.PARALLEL_WORKFLOWS)
    published = await _publish(workflow, created.id)
    (fork_json,) = [s for s in published.version.snapshot["steps"] if s["id"] == fork.id]
    assert fork_json["forkConfig"]["joinStepId"] and len(fork_json["forkConfig"]["branches"]) == 2


async def test_an_archived_or_deleted_workflow_cannot_be_published(workflow):
    created, _, _ = await _two_steps(workflow)
    await workflow.call(contract.UPDATE_WORKFLOW, {"id": created.id, "status": "ARCHIVED"})
    with pytest.raises(BadRequest):
        await _publish(workflow, created.id)
    await workflow.call(contract.DELETE_WORKFLOW, {"id": created.id})
    with pytest.raises(BadRequest):
        await _publish(workflow, created.id)


async def test_a_step_in_a_published_version_cannot_be_deleted(workflow):
    created, _, last = await _two_steps(workflow)
    await _publish(workflow, created.id)
    with pytest.raises(Conflict) as refused:
        await workflow.call(contract.DELETE_STEP, {"workflowId": created.id, "stepId": last.id})
    assert refused.value.details == {"stepId": last.id}
    unpublished = await _step(workflow, created.id, 3)
    await workflow.call(contract.DELETE_STEP, {"workflowId": created.id, "stepId": unpublished.id})
