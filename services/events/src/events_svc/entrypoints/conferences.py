"""Events (the conferences) on the bus."""

from plenary_contracts.catalog import events as contract
from plenary_kit.service import Runtime

from ..application import conferences


def register(runtime: Runtime) -> None:
    runtime.serve(contract.CREATE_EVENT, conferences.create_event)
    runtime.serve(contract.LIST_EVENTS, conferences.list_events)
    runtime.serve(contract.GET_EVENT, conferences.get_event)
    runtime.serve(contract.UPDATE_EVENT, conferences.update_event)
    runtime.serve(contract.DELETE_EVENT, conferences.delete_event)
    runtime.serve(contract.GET_EVENT_SCHEMA, conferences.get_event_schema)
