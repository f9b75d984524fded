"""The delegates' public operations on the bus (the gateway admits them without a credential)."""

from plenary_contracts.catalog import delegation as contract
from plenary_kit.service import Runtime

from ..application.portal import Portal


def register(runtime: Runtime, portal: Portal) -> None:
    runtime.serve(contract.ACCEPT_INVITE, portal.accept)
    runtime.serve(contract.REGISTER_DELEGATE, portal.register)
    runtime.serve(contract.WAIT_FOR_PLACE, portal.wait)
