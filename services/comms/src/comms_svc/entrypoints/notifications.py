"""A user's notification operations."""

from plenary_contracts.catalog import comms as contract
from plenary_kit.service import Runtime

from ..application import notifications


def register(runtime: Runtime) -> None:
    runtime.serve(contract.LIST_NOTIFICATIONS, notifications.list_notifications)
    runtime.serve(contract.COUNT_UNREAD, notifications.count_unread)
    runtime.serve(contract.MARK_READ, notifications.mark_read)
    runtime.serve(contract.MARK_ALL_READ, notifications.mark_all_read)
