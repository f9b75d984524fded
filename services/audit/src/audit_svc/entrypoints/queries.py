"""The auditor's log and delivery traces over the bus (and through the gateway)."""

from plenary_contracts.catalog import audit as contract
from plenary_kit.service import Runtime

from ..application.log import AuditLog


def register(runtime: Runtime, log: AuditLog) -> None:
    runtime.serve(contract.LIST_EVENTS, log.list_events)
    runtime.serve(contract.GET_TRACE, log.trace)
