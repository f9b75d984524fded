import asyncio

import pytest
from gateway_svc.adapters.remembered import RememberedLookup


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Asked:
    def __init__(self, answers: dict[str, str]) -> None:
        self.answers = answers
        self.keys: list[str] = []
        self.gate: asyncio.Event | None = None

    async def __call__(self, key: str) -> str | None:
        self.keys.append(key)
        if self.gate is not None:
            await self.gate.wait()
        return self.answers.get(key)


def lookup(asked: Asked, clock: Clock, **settings: float) -> RememberedLookup[str]:
    defaults: dict[str, float] = {"found_for": 0, "missing_for": 5}
    return RememberedLookup(asked, clock=clock, **(defaults | settings))  # type: ignore[arg-type]


async def test_concurrent_requests_for_one_key_share_one_question():
    asked, clock = Asked({"k": "v"}), Clock()
    asked.gate = asyncio.Event()
    find = lookup(asked, clock)
    waiting = [asyncio.create_task(find("k")) for _ in range(5)]
    await asyncio.sleep(0)
    asked.gate.set()
    assert await asyncio.gather(*waiting) == ["v"] * 5
    assert asked.keys == ["k"]


async def test_a_miss_is_remembered_for_a_while_then_asked_again():
    asked, clock = Asked({}), Clock()
    find = lookup(asked, clock, missing_for=5)
    assert await find("k") is None and await find("k") is None
    clock.now += 5
    assert await find("k") is None
    assert asked.keys == ["k", "k"]


async def test_a_found_answer_is_asked_again_unless_it_may_be_kept():
    asked, clock = Asked({"k": "v"}), Clock()
    uncached, cached = lookup(asked, clock, found_for=0), lookup(asked, clock, found_for=60)
    for find in (uncached, uncached, cached, cached):
        assert await find("k") == "v"
    assert asked.keys == ["k", "k", "k"]


async def test_beyond_the_question_budget_a_key_counts_as_missing_without_asking():
    asked, clock = Asked({"k20": "v"}), Clock()
    find = lookup(asked, clock, asks_per_second=20)
    answers = [await find(f"k{i}") for i in range(100)]
    assert len(asked.keys) == 20 and answers.count("v") == 0  # k20 was not asked: the budget was spent
    clock.now += 0.5
    assert await find("k20") == "v"  # the budget refills with time
    assert len(asked.keys) == 21


async def test_what_is_remembered_is_bounded_and_the_oldest_goes_first():
    asked, clock = Asked({}), Clock()
    find = lookup(asked, clock, max_remembered=3)
    for key in ("a", "b", "c", "d"):
        await find(key)
    assert find.remembered == 3
    await find("a")  # forgotten: asked again
    await find("d")  # still remembered
    assert asked.keys == ["a", "b", "c", "d", "a"]


async def test_a_failed_question_is_not_remembered():
    clock, calls = Clock(), []

    async def failing(key: str) -> str | None:
        calls.append(key)
        raise TimeoutError

    find: RememberedLookup[str] = RememberedLookup(failing, found_for=0, missing_for=5, clock=clock)
    for _ in range(2):
        with pytest.raises(TimeoutError):
            await find("k")
    assert calls == ["k", "k"]
