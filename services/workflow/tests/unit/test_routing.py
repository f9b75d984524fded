from workflow_svc.domain.routing import evaluate_routes, resolve_next_step
from workflow_svc.domain.snapshot import Route, SnapshotStep

from plenary_contracts.enums import ApprovalAction

A = ApprovalAction


def cond(field, operator, value=None):
    return {"type": "simple", "field": field, "operator": operator, "value": value}


def route(target, condition=None, priority=0, id_=None):
    return {"id": id_ or target, "condition": condition, "targetStepId": target, "priority": priority}


def step(routes=None, reject_routes=None, **targets):
    config = {}
    if routes is not None:
        config["conditionalRoutes"] = routes
    if reject_routes is not None:
        config["rejectionConditionalRoutes"] = reject_routes
    defaults = {"next_step_id": "next", "rejection_target_id": "rej", "bypass_target_id": "byp"}
    return SnapshotStep(id="s", name="Review", config=config, **{"escalation_target_id": "esc", **defaults, **targets})


KE = {"nationality": "KE", "age": 30}


def test_no_routes_match_nothing():
    assert evaluate_routes(None, KE) is None
    assert evaluate_routes([], KE) is None


def test_no_matching_route_gives_none():
    assert evaluate_routes([Route("r", cond("nationality", "eq", "US"), "us", 0)], KE) is None


def test_the_first_matching_route_wins():
    routes = [Route("a", cond("nationality", "eq", "KE"), "ke", 0), Route("b", None, "any", 1)]
    assert evaluate_routes(routes, KE) == "ke"


def test_routes_run_by_ascending_priority_not_list_order():
    routes = [Route("late", None, "late", 5), Route("early", cond("age", "gt", 18), "early", 1)]
    assert evaluate_routes(routes, KE) == "early"


def test_routes_with_equal_priority_keep_their_order():
    routes = [Route("a", None, "first", 1), Route("b", None, "second", 1)]
    assert evaluate_routes(routes, KE) == "first"


def test_a_lower_priority_route_is_tried_when_a_higher_one_does_not_match():
    routes = [Route("a", cond("nationality", "eq", "US"), "us", 0), Route("b", cond("age", "gte", 30), "adult", 1)]
    assert evaluate_routes(routes, KE) == "adult"


def test_a_route_without_condition_always_matches():
    assert evaluate_routes([Route("a", None, "t", 0)], {}) == "t"


def test_a_compound_and_route_needs_every_child():
    both = {
        "type": "compound",
        "operator": "and",
        "conditions": [cond("nationality", "eq", "ke"), cond("age", "lt", 18)],
    }
    assert evaluate_routes([Route("a", both, "minor_ke", 0)], KE) is None
    assert evaluate_routes([Route("a", both, "minor_ke", 0)], {"nationality": "KE", "age": 12}) == "minor_ke"


def test_a_compound_or_route_needs_one_child():
    either = {
        "type": "compound",
        "operator": "or",
        "conditions": [cond("nationality", "eq", "US"), cond("age", "gt", 18)],
    }
    assert evaluate_routes([Route("a", either, "t", 0)], KE) == "t"


def test_approve_takes_a_matching_approve_route_when_routing_is_enabled():
    s = step(routes=[route("vip", cond("nationality", "eq", "KE"))])
    assert resolve_next_step(s, A.APPROVE, KE, True) == "vip"


def test_approve_falls_back_to_next_step_without_a_match():
    s = step(routes=[route("vip", cond("nationality", "eq", "US"))])
    assert resolve_next_step(s, A.APPROVE, KE, True) == "next"


def test_routing_disabled_uses_the_default_targets_only():
    s = step(routes=[route("vip")], reject_routes=[route("rvip")])
    assert resolve_next_step(s, A.APPROVE, KE, False) == "next"
    assert resolve_next_step(s, A.REJECT, KE, False) == "rej"


def test_print_uses_the_approve_routes_then_next_step():
    assert resolve_next_step(step(routes=[route("vip")]), A.PRINT, KE, True) == "vip"
    assert resolve_next_step(step(routes=[]), A.PRINT, KE, True) == "next"


def test_reject_uses_the_reject_routes_not_the_approve_routes():
    s = step(routes=[route("vip")], reject_routes=[route("appeal", cond("age", "gt", 18))])
    assert resolve_next_step(s, A.REJECT, KE, True) == "appeal"


def test_reject_falls_back_to_the_rejection_target():
    s = step(routes=[route("vip")], reject_routes=[route("appeal", cond("age", "gt", 99))])
    assert resolve_next_step(s, A.REJECT, KE, True) == "rej"


def test_bypass_ignores_conditions():
    s = step(routes=[route("vip")], reject_routes=[route("appeal")])
    assert resolve_next_step(s, A.BYPASS, KE, True) == "byp"


def test_escalate_ignores_conditions():
    s = step(routes=[route("vip")], reject_routes=[route("appeal")])
    assert resolve_next_step(s, A.ESCALATE, KE, True) == "esc"


def test_return_resolves_to_nothing():
    assert resolve_next_step(step(routes=[route("vip")]), A.RETURN, KE, True) is None
    assert resolve_next_step(step(), A.RETURN, KE, False) is None


def test_a_missing_default_target_gives_none():
    s = step(next_step_id=None, rejection_target_id=None, bypass_target_id=None, escalation_target_id=None)
    assert [resolve_next_step(s, a, KE, True) for a in (A.APPROVE, A.REJECT, A.BYPASS, A.ESCALATE)] == [None] * 4


def test_date_fields_route_as_times_when_typed():
    s = step(routes=[route("late", cond("arrival", "gt", "2025-06-01"))])
    data = {"arrival": "2025-06-02T10:00:00Z"}
    assert resolve_next_step(s, A.APPROVE, data, True, {"arrival": "DATETIME"}) == "late"
