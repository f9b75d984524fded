"""Cloning an event across the real services: every reference of the copy points inside it, a participant
registered to it runs through its workflow, a failure in the third service rolls every part back, and events
killed mid-saga ends in one clean state."""

import asyncio
import signal
from collections import Counter
from pathlib import Path
from typing import Any

from plenary_contracts.catalog import events, registration, workflow
from plenary_contracts.enums import ApprovalAction, CloneStatus
from plenary_kit.testing.plugin import eventually

from .conftest import DELEGATES, Platform, configure_source, holdings, platform_of, strings_of


def _ids(rows: list[dict[str, Any]]) -> set[str]:
    return {r["id"] for r in rows}


async def _source_ids(platform: Platform, event_id: str) -> set[str]:
    held = await holdings(platform, event_id)
    return {event_id} | {i for rows in held.values() for i in _ids(rows)}


async def test_a_clone_of_a_fully_configured_event_points_every_reference_inside_the_clone(platform):
    source = await configure_source(platform)
    source_ids = await _source_ids(platform, source.event_id)

    begun = await platform.clone(source.event_id)
    done = await platform.settled(begun.id)

    assert done.status is CloneStatus.COMPLETED, done.error_log
    target = done.target_event_id
    assert target is not None
    copied = await holdings(platform, target)
    assert {table: len(rows) for table, rows in copied.items()} == {
        "event": 1,
        "participant_type": 2,
        "field_definition": 1,
        "workflow": 1,
        "step": 7,
        "step_assignment": 1,
        "auto_action_rule": 1,
        "workflow_version": 0,  # versions are not copied
        "delegation_quota": 2,
        "delegation_invite": 0,
        "checkpoint": 2,
        "saved_view": 1,
    }
    # nothing of the copy names anything of the source
    for table, rows in copied.items():
        for row in rows:
            assert not (strings_of(row) & source_ids), (table, strings_of(row) & source_ids)
    # and what it names is inside the copy
    types, steps = _ids(copied["participant_type"]), _ids(copied["step"])
    (wf,) = copied["workflow"]
    assert wf["status"] == "DRAFT" and wf["participant_type_id"] in types
    for step in copied["step"]:
        targets = [step[k] for k in ("next_step_id", "rejection_target_id", "bypass_target_id", "escalation_target_id")]
        config = step["config"] or {}
        routes = [r["targetStepId"] for r in config.get("conditionalRoutes") or []]
        branches = [b["branchStepId"] for b in config.get("branches") or []]
        for ref in [*targets, *routes, *branches, config.get("joinStepId")]:
            assert ref is None or ref in steps, (step["name"], ref)
        for route in config.get("conditionalRoutes") or []:
            assert route["condition"]["value"] in types
    assert all(a["step_id"] in steps for a in copied["step_assignment"])
    (rule,) = copied["auto_action_rule"]
    assert rule["step_id"] in steps
    field_ids = _ids(copied["field_definition"])
    assert {c["value"] for c in rule["condition_expression"]["conditions"] if "value" in c} <= types
    assert {c["field"] for c in rule["condition_expression"]["conditions"]} - {"participantTypeId"} <= field_ids
    assert all(q["used_count"] == 0 for q in copied["delegation_quota"])
    for checkpoint in copied["checkpoint"]:
        assert checkpoint["zone_id"] == "hall-a" and set(checkpoint["allowed_participant_type_ids"]) <= types
    (view,) = copied["saved_view"]
    assert view["config"]["eventId"] == target and view["filters"][0]["value"] in types
    assert {"participantTypes", "fieldDefinitions", "workflows", "steps"} <= set(done.elements_copied)
    assert done.elements_copied["participantTypes"] == 2 and done.elements_copied["steps"] == 7
    assert [s.status for s in done.steps] == ["COPIED"] * 5
    # the source is as it was
    assert await _source_ids(platform, source.event_id) == source_ids


async def test_a_participant_registered_to_the_clone_runs_through_its_workflow(platform):
    source = await configure_source(platform)
    done = await platform.settled((await platform.clone(source.event_id)).id)
    assert done.status is CloneStatus.COMPLETED, done.error_log
    target = done.target_event_id
    copied = await holdings(platform, target)
    (wf,) = copied["workflow"]
    await platform.call(workflow.PUBLISH_WORKFLOW, {"id": wf["id"]})
    delegate_type = next(t["id"] for t in copied["participant_type"] if t["code"] == DELEGATES)
    step = {s["name"]: s["id"] for s in copied["step"]}

    async def registered() -> Any:
        try:
            return await platform.call(
                registration.REGISTER_PARTICIPANT,
                {
                    "eventId": target,
                    "participantTypeId": delegate_type,
                    "firstName": "Amara",
                    "lastName": "Okafor",
                    "email": "amara@example.org",
                    "extras": {"passportNumber": "A1234567"},
                },
            )
        except Exception:
            return None

    person = await eventually(registered, timeout=20)

    async def progress() -> Any:
        try:
            return await platform.call(workflow.GET_PROGRESS, {"participantId": person.id})
        except Exception:
            return None

    entered = await eventually(progress, timeout=20)
    assert entered.workflow_id == wf["id"] and entered.current_step_id == step["Screening"]
    # screening routes delegates to the fork; both branches and the join lead to the badge
    await platform.call(workflow.TAKE_ACTION[ApprovalAction.APPROVE], {"participantId": person.id})
    for branch in ("Security", "Protocol"):
        await platform.call(
            workflow.TAKE_BRANCH_ACTION[ApprovalAction.APPROVE],
            {"participantId": person.id, "branchStepId": step[branch]},
        )

    async def at_badge() -> Any:
        seen = await progress()
        return seen if seen is not None and seen.current_step_id == step["Badge"] else None

    await eventually(at_badge, timeout=20)
    finished = await platform.call(workflow.TAKE_ACTION[ApprovalAction.APPROVE], {"participantId": person.id})
    assert finished is not None
    final = await progress()
    assert final.status == "APPROVED"


async def test_a_failure_in_the_third_service_rolls_back_the_parts_before_it(platform):
    source = await configure_source(platform)
    # a real failure in delegation (the third part): its quota table refuses any quota of another event
    await platform.execute(
        "delegation",
        "CREATE FUNCTION delegation.refuse_clone() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        f" IF NEW.event_id <> '{source.event_id}' THEN RAISE EXCEPTION 'quota store refused the copy'; END IF;"
        " RETURN NEW; END $$",
    )
    await platform.execute(
        "delegation",
        "CREATE TRIGGER refuse_clone BEFORE INSERT ON delegation.delegation_quota"
        " FOR EACH ROW EXECUTE FUNCTION delegation.refuse_clone()",
    )
    source_ids = await _source_ids(platform, source.event_id)

    begun = await platform.clone(source.event_id)
    done = await platform.settled(begun.id)

    assert done.status is CloneStatus.ROLLED_BACK and done.error_log and "delegation" in done.error_log
    assert [(s.service, s.status) for s in done.steps] == [
        ("events", "DROPPED"),
        ("workflow", "DROPPED"),
        ("delegation", "DROPPED"),
        ("checkin", "PENDING"),
        ("views", "PENDING"),
    ]
    left = await holdings(platform, begun.target_event_id)
    assert {table: rows for table, rows in left.items() if rows} == {}
    # the copies were made (workflow's at least) and are gone: no row of any part has the clone's ids
    assert await _source_ids(platform, source.event_id) == source_ids
    failed = await platform.call(events.LIST_CLONE_OPERATIONS, {"id": source.event_id})
    assert [(o.id, o.status) for o in failed.data] == [(begun.id, CloneStatus.ROLLED_BACK)]


async def test_events_killed_mid_saga_ends_in_one_clean_state_without_duplicates(plenary_settings, tmp_path: Path):
    async with platform_of(plenary_settings, events_as_process=tmp_path) as platform:
        source = await configure_source(platform)
        # hold delegation's part: the test locks its quota table, so the copy waits on it
        lock_engine = platform.engine("delegation")
        async with lock_engine.connect() as holder:
            transaction = await holder.begin()
            await holder.exec_driver_sql("LOCK TABLE delegation.delegation_quota IN EXCLUSIVE MODE")
            begun = await platform.clone(source.event_id)

            async def delegation_started() -> bool:
                rows = await platform.rows(
                    "events", "SELECT steps FROM events.clone_operation WHERE id = :i", i=begun.id
                )
                return rows[0]["steps"]["delegation"]["status"] == "STARTED"

            await eventually(delegation_started, timeout=30)
            process = platform.events_process
            assert process is not None and process.popen is not None
            process.popen.send_signal(signal.SIGKILL)
            process.popen.wait()
            await transaction.rollback()  # the lock goes; delegation's copy goes on without its caller
        process.start()
        await asyncio.to_thread(process.wait_ready)
        done = await platform.settled(begun.id, timeout=90)

        held = await holdings(platform, begun.target_event_id)
        counts = {table: len(rows) for table, rows in held.items()}
        if done.status is CloneStatus.COMPLETED:
            assert counts["delegation_quota"] == 2 and counts["step"] == 7 and counts["checkpoint"] == 2
            assert counts["saved_view"] == 1 and counts["participant_type"] == 2
        else:
            assert done.status is CloneStatus.ROLLED_BACK and not any(counts.values())
        # no duplicate rows: each copy once, whatever ran twice
        for table, rows in held.items():
            assert len(_ids(rows)) == len(rows), table
        cloned = await platform.rows(
            "events",
            "SELECT envelope->'data'->'operation'->>'id' AS op FROM events.outbox WHERE envelope->>'type' IN (:a, :b)",
            a=events.EVENT_CLONED.type,
            b=events.CLONE_FAILED.type,
        )
        assert Counter(r["op"] for r in cloned) == Counter({begun.id: 1})
