from workflow_svc.domain.publishing import publish_problems
from workflow_svc.domain.snapshot import Snapshot, SnapshotStep

from plenary_contracts.enums import StepType


def snapshot(*steps: SnapshotStep) -> Snapshot:
    return Snapshot("wf", "Workflow", steps)


def problems(*steps, parallel=True, field_types=None):
    return publish_problems(snapshot(*steps), parallel_enabled=parallel, field_types=field_types)


def messages(*steps, parallel=True):
    return [m for _, m in problems(*steps, parallel=parallel)]


ENTRY = SnapshotStep("a", "Review", is_entry_point=True, next_step_id="z")
END = SnapshotStep("z", "Done", is_terminal=True)


def fork(branches, join="j", id_="f", **kw):
    config = {"branches": [{"branchStepId": b} for b in branches]} if branches is not None else {}
    if join:
        config["joinStepId"] = join
    return SnapshotStep(id_, "Split", step_type=StepType.FORK, config=config, **kw)


def join(id_="j", **config):
    return SnapshotStep(id_, "Merge", step_type=StepType.JOIN, next_step_id="z", config={"strategy": "ALL", **config})


def parallel(*branch_steps, fork_step=None, join_step=None):
    return (
        SnapshotStep("a", "Review", is_entry_point=True, next_step_id="f"),
        fork_step or fork([s.id for s in branch_steps]),
        *branch_steps,
        join_step or join(),
        END,
    )


def test_a_linear_workflow_has_no_problem():
    assert problems(ENTRY, END) == []


def test_a_workflow_without_steps_cannot_be_published():
    assert problems() == [(None, "The workflow has no steps")]


def test_a_workflow_needs_exactly_one_entry_point():
    assert (None, "The workflow has no entry point") in problems(SnapshotStep("a", "A", is_terminal=True))
    two = problems(ENTRY, SnapshotStep("b", "B", is_entry_point=True, next_step_id="z"), END)
    assert [p for p in two if p[0] is None and "2 entry points" in p[1]]


def test_a_workflow_needs_a_terminal_step():
    looping = (SnapshotStep("a", "A", is_entry_point=True, next_step_id="b"), SnapshotStep("b", "B", next_step_id="a"))
    assert problems(*looping) == [(None, "The workflow has no terminal step")]


def test_every_fixed_target_must_be_a_step_of_the_workflow():
    step = SnapshotStep(
        "a",
        "A",
        is_entry_point=True,
        next_step_id="z",
        rejection_target_id="x1",
        bypass_target_id="x2",
        escalation_target_id="x3",
    )
    found = problems(step, END)
    assert [p[0] for p in found] == ["a", "a", "a"]
    assert [p[1].split()[0] for p in found] == ["rejectionTargetId", "bypassTargetId", "escalationTargetId"]


def test_every_route_target_must_be_a_step_of_the_workflow():
    step = SnapshotStep(
        "a",
        "A",
        is_entry_point=True,
        next_step_id="z",
        config={
            "conditionalRoutes": [{"targetStepId": "z"}, {"targetStepId": "nowhere"}],
            "rejectionConditionalRoutes": [{"targetStepId": "gone"}],
        },
    )
    assert problems(step, END) == [
        ("a", 'conditionalRoutes[1] targets "nowhere", which is not a step of this workflow'),
        ("a", 'rejectionConditionalRoutes[0] targets "gone", which is not a step of this workflow'),
    ]


def test_malformed_routes_are_problems():
    config = {"conditionalRoutes": [{"priority": "high", "targetStepId": "z"}, {"label": "x"}, 3]}
    found = messages(SnapshotStep("a", "A", is_entry_point=True, next_step_id="z", config=config), END)
    assert found == [
        "conditionalRoutes[0].priority must be an integer",
        "conditionalRoutes[1] has no targetStepId",
        "conditionalRoutes[2] must be an object",
    ]


def test_route_conditions_must_be_valid():
    bad = {"type": "simple", "field": "age", "operator": "bigger", "value": 3}
    config = {"rejectionConditionalRoutes": [{"targetStepId": "z", "condition": bad}]}
    found = problems(SnapshotStep("a", "A", is_entry_point=True, next_step_id="z", config=config), END)
    assert len(found) == 1
    assert found[0][0] == "a" and found[0][1].startswith(
        "rejectionConditionalRoutes[0].condition.operator: must be one of"
    )


def test_route_conditions_are_checked_against_the_field_types():
    contains_on_number = {"type": "simple", "field": "age", "operator": "contains", "value": "3"}
    config = {"conditionalRoutes": [{"targetStepId": "z", "condition": contains_on_number}]}
    step = SnapshotStep("a", "A", is_entry_point=True, next_step_id="z", config=config)
    assert problems(step, END) == []
    assert len(problems(step, END, field_types={"age": "NUMBER"})) == 1


def test_steps_not_reachable_from_the_entry_point_are_problems():
    orphan = SnapshotStep("o", "Orphan", next_step_id="z")
    assert problems(ENTRY, END, orphan) == [("o", 'Step "Orphan" cannot be reached from the entry point')]


def test_reachability_follows_every_target_and_route():
    entry = SnapshotStep(
        "a",
        "A",
        is_entry_point=True,
        next_step_id="z",
        rejection_target_id="r",
        config={"rejectionConditionalRoutes": [{"targetStepId": "rr"}], "conditionalRoutes": [{"targetStepId": "ar"}]},
    )
    reached = (
        SnapshotStep("r", "R", bypass_target_id="b"),
        SnapshotStep("b", "B", escalation_target_id="e"),
        SnapshotStep("e", "E", next_step_id="z"),
        SnapshotStep("rr", "RR", next_step_id="z"),
        SnapshotStep("ar", "AR", next_step_id="z"),
    )
    assert problems(entry, END, *reached) == []


def test_a_well_formed_fork_and_join_has_no_problem():
    assert problems(*parallel(SnapshotStep("b1", "Legal"), SnapshotStep("b2", "Security"))) == []


def test_a_fork_is_refused_while_parallel_workflows_are_off():
    found = problems(*parallel(SnapshotStep("b1", "Legal")), parallel=False)
    assert found == [("f", "FORK steps need parallel workflows: FF_PARALLEL_WORKFLOWS is off for this tenant")]


def test_a_fork_needs_branches():
    for branches in (None, []):
        found = messages(*parallel(fork_step=fork(branches)))
        assert "A FORK step needs branches" in found


def test_a_fork_has_at_most_five_branches():
    branches = [SnapshotStep(f"b{i}", f"B{i}") for i in range(6)]
    assert "A FORK step has at most 5 branches, this one has 6" in messages(*parallel(*branches))
    assert problems(*parallel(*branches[:5])) == []


def test_a_fork_branch_must_be_an_ordinary_step_of_the_workflow():
    b = SnapshotStep("b", "B")
    found = messages(*parallel(b, fork_step=fork(["b", "f", "j", "ghost", "b"])))
    assert "branches[1] is the FORK step itself" in found
    assert 'branches[2]: step "Merge" is a JOIN, not a branch step' in found
    assert 'branches[3]: "ghost" is not a step of this workflow' in found
    assert 'branches[4]: step "b" is already a branch of this FORK' in found


def test_a_fork_needs_a_join_step_that_is_a_join():
    b = SnapshotStep("b", "B")
    assert "A FORK step needs a joinStepId" in messages(*parallel(b, fork_step=fork(["b"], join=None)))
    assert 'joinStepId "z" is not a JOIN step' in messages(*parallel(b, fork_step=fork(["b"], join="z")))
    assert 'joinStepId "nope" is not a step of this workflow' in messages(
        *parallel(b, fork_step=fork(["b"], join="nope"))
    )


def test_a_join_needs_a_valid_strategy_and_timeout():
    b = SnapshotStep("b", "B")
    no_strategy = SnapshotStep("j", "Merge", step_type=StepType.JOIN, next_step_id="z", config={})
    assert "A JOIN step needs a strategy: ALL, ANY, MAJORITY" in messages(*parallel(b, join_step=no_strategy))
    assert 'Join strategy "SOME" is not one of ALL, ANY, MAJORITY' in messages(
        *parallel(b, join_step=join(strategy="SOME"))
    )
    found = messages(*parallel(b, join_step=join(timeoutAction="IGNORE", timeoutMinutes=0)))
    assert 'timeoutAction "IGNORE" is not one of APPROVE, REJECT, ESCALATE' in found
    assert "timeoutMinutes must be a whole number of minutes, at least 1" in found


def test_a_join_no_fork_leads_to_is_a_problem():
    stray = SnapshotStep("j2", "Stray", step_type=StepType.JOIN, next_step_id="z", config={"strategy": "ANY"})
    entry = SnapshotStep("a", "A", is_entry_point=True, next_step_id="j2")
    assert problems(entry, stray, END) == [("j2", "No FORK step joins at this JOIN step")]
