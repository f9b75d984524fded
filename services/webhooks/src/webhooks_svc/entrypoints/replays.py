"""webhooks's replays: operations, and the timer that runs the replays nobody works on."""

from plenary_contracts.catalog import webhooks as contract
from plenary_kit.service import Runtime

from ..application.replays import Replays

REPLAY_CHECK_SECONDS = 1.0


def register(runtime: Runtime, replays: Replays) -> None:
    runtime.serve(contract.START_REPLAY, replays.start)
    runtime.serve(contract.LIST_REPLAYS, replays.list_replays)
    runtime.serve(contract.GET_REPLAY, replays.get)
    runtime.serve(contract.CANCEL_REPLAY, replays.cancel)

    async def run_due() -> None:
        await replays.run_due()

    runtime.every(REPLAY_CHECK_SECONDS, run_due)
