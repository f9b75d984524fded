"""The events as a list query on the bus: rows, groups, fields."""

from plenary_contracts.catalog import events as contract
from plenary_kit.service import Runtime

from ..application import event_rows


def register(runtime: Runtime) -> None:
    runtime.serve(contract.QUERY_EVENT_ROWS, event_rows.rows)
    runtime.serve(contract.QUERY_EVENT_GROUPS, event_rows.groups)
    runtime.serve(contract.EVENT_FIELDS, event_rows.fields)
