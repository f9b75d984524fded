import asyncio

from gateway_svc.application.feeds import _finish


async def test_a_task_that_swallowed_its_cancellation_is_cancelled_again_until_it_ends():
    swallowed = asyncio.Event()

    async def stubborn() -> None:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:  # as asyncio.wait_for does before 3.12 when its result is already there
            swallowed.set()
        await asyncio.sleep(30)

    task = asyncio.create_task(stubborn())
    await asyncio.sleep(0)
    await asyncio.wait_for(_finish([task]), 5)
    assert swallowed.is_set() and task.cancelled()


async def test_finished_tasks_are_left_as_they_are():
    done = asyncio.create_task(asyncio.sleep(0, result="kept"))
    await done
    await _finish([done])
    assert done.result() == "kept"
