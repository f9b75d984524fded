"""The clone saga's decisions from its persisted state: forward while copying, back while compensating,
never both; the counts an operation reports; the waits between tries."""

from events_svc.domain.cloning import (
    COMPENSATING,
    COPIED,
    COPYING,
    DONE,
    DROPPED,
    FAILED,
    OWN,
    PENDING,
    SKIPPED,
    STARTED,
    Complete,
    CopyPart,
    DropOwn,
    DropPart,
    Finished,
    backoff_seconds,
    compensating,
    elements_copied,
    initial_steps,
    needs_part,
    next_action,
    next_edition_number,
    with_step,
)

ORDER = ("workflow", "delegation", "checkin", "views")


def _steps(**statuses: str) -> dict:
    return {OWN: {"status": COPIED, "counts": {}}} | {s: {"status": st, "counts": {}} for s, st in statuses.items()}


def test_a_part_is_asked_for_only_when_one_of_its_elements_is():
    assert needs_part("workflow", {"workflows"}) and not needs_part("workflow", {"delegations", "views"})
    assert needs_part("checkin", {"checkpoints"}) and not needs_part("unknown", {"workflows"})


def test_the_initial_steps_have_events_copied_and_the_parts_not_asked_for_skipped():
    steps = initial_steps(ORDER, {"workflows", "views"}, {"participantTypes": 2})
    assert list(steps) == [OWN, *ORDER]
    assert steps[OWN] == {"status": COPIED, "counts": {"participantTypes": 2}}
    assert [steps[s]["status"] for s in ORDER] == [PENDING, SKIPPED, SKIPPED, PENDING]


def test_copying_asks_the_first_part_not_copied_in_order_then_completes():
    assert next_action(COPYING, _steps(workflow=PENDING, delegation=PENDING), ORDER) == CopyPart("workflow")
    assert next_action(COPYING, _steps(workflow=COPIED, delegation=SKIPPED, checkin=PENDING), ORDER) == CopyPart(
        "checkin"
    )
    # a part started when the process died is asked again (its idempotency key answers the same)
    assert next_action(COPYING, _steps(workflow=COPIED, delegation=STARTED), ORDER) == CopyPart("delegation")
    assert next_action(COPYING, _steps(workflow=COPIED, delegation=SKIPPED, views=COPIED), ORDER) == Complete()
    assert next_action(COPYING, _steps(), ORDER) == Complete()


def test_compensating_drops_every_part_started_in_reverse_order_the_failed_one_too_then_events_own():
    steps = _steps(workflow=COPIED, delegation=COPIED, checkin=FAILED, views=PENDING)
    assert next_action(COMPENSATING, steps, ORDER) == DropPart("checkin")
    steps = with_step(steps, "checkin", DROPPED)
    assert next_action(COMPENSATING, steps, ORDER) == DropPart("delegation")
    steps = with_step(with_step(steps, "delegation", DROPPED), "workflow", DROPPED)
    assert next_action(COMPENSATING, steps, ORDER) == DropOwn()
    # a part only STARTED (its reply lost with a crash) may have committed: it is dropped
    assert next_action(COMPENSATING, _steps(workflow=STARTED, delegation=PENDING), ORDER) == DropPart("workflow")


def test_a_compensating_saga_never_copies_and_a_done_one_does_nothing():
    pending = _steps(workflow=PENDING, delegation=PENDING)
    assert next_action(COMPENSATING, pending, ORDER) == DropOwn()
    assert next_action(DONE, pending, ORDER) == Finished()
    assert next_action(DONE, _steps(workflow=COPIED), ORDER) == Finished()


def test_turning_back_marks_the_failed_part_and_keeps_the_others():
    steps = _steps(workflow=COPIED, delegation=STARTED)
    turned = compensating(steps, "delegation")
    assert turned["delegation"]["status"] == FAILED and turned["workflow"]["status"] == COPIED
    assert steps["delegation"]["status"] == STARTED  # the input is left as it was
    assert compensating(steps, None) == steps


def test_with_step_keeps_counts_unless_given():
    steps = with_step(_steps(workflow=STARTED), "workflow", COPIED, {"steps": 4})
    assert steps["workflow"] == {"status": COPIED, "counts": {"steps": 4}}
    assert with_step(steps, "workflow", DROPPED)["workflow"] == {"status": DROPPED, "counts": {"steps": 4}}


def test_the_elements_copied_add_every_copied_part_up_with_the_total_of_mappings():
    steps = {
        OWN: {"status": COPIED, "counts": {"participantTypes": 2, "fieldDefinitions": 3}},
        "workflow": {"status": COPIED, "counts": {"workflows": 1, "steps": 9}},
        "delegation": {"status": SKIPPED, "counts": {}},
        "views": {"status": COPIED, "counts": {"views": 2, "steps": 1}},
        "checkin": {"status": DROPPED, "counts": {"checkpoints": 5}},
    }
    assert elements_copied(steps, {"a": "b", "c": "d"}) == {
        "participantTypes": 2,
        "fieldDefinitions": 3,
        "workflows": 1,
        "steps": 10,
        "views": 2,
        "totalMappings": 2,
    }


def test_the_wait_between_tries_doubles_up_to_its_cap():
    assert [backoff_seconds(n, base=0.5, cap=3) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3, 3]


def test_the_next_edition_number_follows_the_highest_taken():
    assert next_edition_number([]) == 1 and next_edition_number([1, 4, 2]) == 5
