import random

import pytest
from checkin_svc.domain.occupancy import Band, Passage, band, moved, rebuild
from checkin_svc.domain.scanning import Movement


@pytest.mark.parametrize(
    ("count", "capacity", "colour"),
    [(0, 100, Band.GREEN), (74, 100, Band.GREEN), (75, 100, Band.AMBER), (90, 100, Band.AMBER),
     (91, 100, Band.RED), (250, 100, Band.RED), (5, None, None), (5, 0, None)],
)  # fmt: skip
def test_a_count_is_coloured_against_its_capacity(count: int, capacity: int | None, colour: Band | None):
    assert band(count, capacity) is colour


def test_an_exit_never_takes_a_count_below_zero():
    assert moved(0, Movement.OUT) == 0
    assert moved(1, Movement.OUT) == 0
    assert moved(0, Movement.IN) == 1


def test_counts_rebuild_per_zone_with_the_floor_applied_in_order():
    passages = [
        Passage(None, Movement.OUT),  # an exit first: stays 0, not -1
        Passage(None, Movement.IN),
        Passage("vip", Movement.IN),
        Passage("vip", Movement.IN),
        Passage("vip", Movement.OUT),
        Passage(None, Movement.IN),
    ]
    assert rebuild(passages) == {None: 2, "vip": 1}


def test_rebuilding_gives_what_moving_one_by_one_gave():
    rng = random.Random(3)
    passages = [Passage(rng.choice([None, "a", "b"]), rng.choice(list(Movement))) for _ in range(5000)]
    live: dict[str | None, int] = {}
    for passage in passages:
        live[passage.zone_id] = moved(live.get(passage.zone_id, 0), passage.movement)
    assert rebuild(passages) == live


def test_a_replay_in_batches_gives_what_one_replay_gave():
    rng = random.Random(7)
    passages = [Passage(rng.choice([None, "a"]), rng.choice(list(Movement))) for _ in range(1000)]
    counts: dict[str | None, int] = {}
    for start in range(0, len(passages), 64):
        counts = rebuild(passages[start : start + 64], counts)
    assert counts == rebuild(passages)


def test_a_replay_leaves_the_counts_it_continues_from_untouched():
    before = {None: 1}
    assert rebuild([Passage(None, Movement.IN)], before) == {None: 2}
    assert before == {None: 1}
