import pytest
from workflow_svc.domain.assignment import (
    Assignee,
    needs_counter,
    pick_assignee,
    round_robin_index,
    strategy_of,
)

from plenary_contracts.enums import AssignmentStrategy

MANUAL, RR, LL = AssignmentStrategy.MANUAL, AssignmentStrategy.ROUND_ROBIN, AssignmentStrategy.LEAST_LOADED


def rows(strategy, n=3):
    return [Assignee(f"a{i}", f"user{i}", strategy) for i in range(1, n + 1)]


def picked(assignees, counter=None, loads=None):
    chosen = pick_assignee(assignees, counter_after_increment=counter, loads=loads or {})
    return chosen.user_id if chosen else None


def test_round_robin_from_an_unset_index_starts_with_the_first_user():
    # the counter goes 0 → 1 on the first pick, which takes the oldest row
    assert picked(rows(RR), counter=1) == "user1"


def test_round_robin_advances_one_user_per_pick():
    assert [picked(rows(RR), counter=c) for c in (1, 2, 3)] == ["user1", "user2", "user3"]


def test_round_robin_wraps_after_the_last_user():
    assert picked(rows(RR), counter=4) == "user1"
    assert picked(rows(RR), counter=302) == "user2"


def test_round_robin_index_is_counter_minus_one_modulo_the_count():
    assert [round_robin_index(c, 2) for c in range(1, 6)] == [0, 1, 0, 1, 0]


def test_round_robin_keeps_working_after_the_assignee_list_shrinks():
    assert picked(rows(RR, 2), counter=3) == "user1"


def test_round_robin_needs_a_counter():
    with pytest.raises(ValueError):
        pick_assignee(rows(RR), counter_after_increment=None, loads={})


def test_round_robin_index_needs_an_assignee():
    with pytest.raises(ValueError):
        round_robin_index(1, 0)


def test_least_loaded_picks_the_smallest_load():
    assert picked(rows(LL), loads={"user1": 5, "user2": 2, "user3": 8}) == "user2"


def test_least_loaded_tie_goes_to_the_earliest_assignment():
    assert picked(rows(LL), loads={"user1": 4, "user2": 1, "user3": 1}) == "user2"
    assert picked(rows(LL), loads={"user1": 3, "user2": 3, "user3": 3}) == "user1"


def test_least_loaded_zero_load_wins():
    assert picked(rows(LL), loads={"user1": 1, "user2": 0, "user3": 2}) == "user2"


def test_least_loaded_missing_load_counts_as_zero():
    assert picked(rows(LL), loads={"user1": 1, "user2": 2}) == "user3"


def test_the_strategy_is_the_first_rows():
    mixed = [Assignee("a1", "user1", LL), Assignee("a2", "user2", RR), Assignee("a3", "user3", MANUAL)]
    assert strategy_of(mixed) is LL
    assert picked(mixed, loads={"user1": 9}) == "user2"


def test_manual_picks_nobody():
    assert picked(rows(MANUAL)) is None
    mixed_manual_first = [Assignee("a1", "user1", MANUAL), Assignee("a2", "user2", RR)]
    assert picked(mixed_manual_first, counter=1) is None


def test_no_assignee_picks_nobody():
    assert strategy_of([]) is None
    assert picked([], counter=1) is None


def test_only_round_robin_needs_the_counter():
    assert needs_counter(rows(RR))
    assert not needs_counter(rows(LL))
    assert not needs_counter(rows(MANUAL))
    assert not needs_counter([])


def test_a_single_round_robin_assignee_gets_every_pick():
    assert {picked(rows(RR, 1), counter=c) for c in range(1, 10)} == {"user1"}
