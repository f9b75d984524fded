"""The live projections: a consumer's handlers only collect their events' facts; the batch's facts are folded
and written once, just before the batch's transaction commits (a handful of statements per batch)."""

from collections.abc import Sequence
from typing import Any
from weakref import WeakKeyDictionary

from plenary_contracts.catalog import analytics as contract
from plenary_contracts.catalog.identity import SYSTEM_USER_ID
from plenary_contracts.envelope import CloudEvent
from plenary_kit.context import acting
from plenary_kit.db import UnitOfWork

from ..adapters import projection_store as store
from ..domain.facts import Fact
from ..domain.projection import event_ids, fold, participant_ids
from .facts import facts_of

BATCH_LOCK_WAIT_MS = 5000


async def project(uow: UnitOfWork, generation: int, facts: Sequence[Fact], *, alone: bool = False) -> None:
    """Fold ``facts`` into ``generation``: the states they touch are read, folded and written back with the
    count changes (live batches and rebuild chunks alike). Live batches lock the states they read; ``alone``:
    nothing else writes this generation (a rebuild's), so nothing is locked."""
    if not facts:
        return
    ids = participant_ids(facts)
    before = await (store.states if alone else store.lock_states)(uow.session, generation, ids)
    gone = await store.deleted_events(uow.session, generation, event_ids(facts))
    await store.write(uow.session, generation, fold(facts, before, gone))


def announce(uow: UnitOfWork, facts: Sequence[Fact]) -> None:
    """One ``figures.changed`` per tenant of the batch, committed with its counts: open dashboards read again."""
    moved: dict[str, set[str]] = {}
    for fact in facts:
        moved.setdefault(fact.tenant_id, set()).update(event_ids([fact]))
    for tenant_id, events in sorted(moved.items()):
        with acting(tenant_id=tenant_id, actor_id=SYSTEM_USER_ID):
            uow.publish(contract.FIGURES_CHANGED, contract.FiguresChanged(event_ids=sorted(events)))


class Projector:
    def __init__(self) -> None:
        self._batches: WeakKeyDictionary[UnitOfWork, list[Fact]] = WeakKeyDictionary()

    async def handle(self, uow: UnitOfWork, event: CloudEvent, payload: Any) -> None:
        facts = facts_of(event, payload)
        if not facts:
            return
        batch = self._batches.get(uow)
        if batch is None:
            batch = self._batches[uow] = []

            async def flush() -> None:
                collected = self._batches.pop(uow, [])
                # Shared lock on the generation: a rebuild's swap waits for this batch, and no batch writes the
                # old generation after the swap.
                generation = await store.current_generation(uow.session, share_lock=True)
                # Past the generation, a batch only waits for another batch (rows locked in one order: states,
                # then counts, each sorted), never for a request: it may wait longer than the kit's 100 ms.
                await store.wait_for_locks(uow.session, BATCH_LOCK_WAIT_MS)
                await project(uow, generation, collected)
                announce(uow, collected)

            uow.before_commit(flush)
        batch.extend(facts)  # last: nothing after it can fail, so a handler that raised added nothing
