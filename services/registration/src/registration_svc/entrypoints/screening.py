"""registration's screening operations on the bus: blacklist entries, duplicate review, merges.
Handlers translate; the use cases decide. (Screening at registration runs in the registrar.)"""

from functools import partial

from plenary_contracts.catalog import registration as contract
from plenary_kit.service import Runtime

from ..application import blacklist, duplicates, merge
from ..application.reference_cache import ReferenceCache


def register(runtime: Runtime, cache: ReferenceCache) -> None:
    runtime.serve(contract.CREATE_BLACKLIST_ENTRY, partial(blacklist.create_blacklist_entry, cache=cache))
    runtime.serve(contract.LIST_BLACKLIST, blacklist.list_blacklist)
    runtime.serve(contract.GET_BLACKLIST_ENTRY, blacklist.get_blacklist_entry)
    runtime.serve(contract.UPDATE_BLACKLIST_ENTRY, partial(blacklist.update_blacklist_entry, cache=cache))
    runtime.serve(contract.DELETE_BLACKLIST_ENTRY, partial(blacklist.delete_blacklist_entry, cache=cache))

    runtime.serve(contract.LIST_DUPLICATES, duplicates.list_duplicates)
    runtime.serve(contract.REVIEW_DUPLICATE, duplicates.review_duplicate)
    runtime.serve(contract.MERGE_PARTICIPANTS, merge.merge_participants)
    runtime.serve(contract.LIST_MERGE_HISTORY, merge.list_merge_history)
