"""Quotas and invites on the bus, and the sweeper's timer."""

from plenary_contracts.catalog import delegation as contract
from plenary_kit.service import Runtime

from ..application.invites import Invites
from ..application.quotas import Quotas


def register(runtime: Runtime, quotas: Quotas, invites: Invites) -> None:
    runtime.serve(contract.UPSERT_QUOTA, quotas.upsert)
    runtime.serve(contract.LIST_QUOTAS, quotas.list_quotas)
    runtime.serve(contract.GET_QUOTA, quotas.get)
    runtime.serve(contract.DELETE_QUOTA, quotas.delete)
    runtime.serve(contract.SEND_INVITE, invites.send)
    runtime.serve(contract.LIST_INVITES, invites.list_invites)
    runtime.serve(contract.RESEND_INVITE, invites.resend)
    runtime.serve(contract.CANCEL_INVITE, invites.cancel)

    async def sweep() -> None:
        await invites.sweep()

    runtime.every(runtime.base_settings.delegation_sweep_seconds, sweep)
