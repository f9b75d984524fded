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
