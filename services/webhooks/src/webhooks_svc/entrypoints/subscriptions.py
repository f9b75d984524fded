"""webhooks's subscription operations: thin handlers over the use cases."""

from plenary_contracts.catalog import webhooks as contract
from plenary_kit.service import Runtime

from ..application.subscriptions import Subscriptions


def register(runtime: Runtime, use_cases: Subscriptions) -> None:
    runtime.serve(contract.CREATE_SUBSCRIPTION, use_cases.create)
    runtime.serve(contract.LIST_SUBSCRIPTIONS, use_cases.list_subscriptions)
    runtime.serve(contract.GET_SUBSCRIPTION, use_cases.get)
    runtime.serve(contract.UPDATE_SUBSCRIPTION, use_cases.update)
    runtime.serve(contract.DELETE_SUBSCRIPTION, use_cases.delete)
    runtime.serve(contract.PAUSE_SUBSCRIPTION, use_cases.pause)
    runtime.serve(contract.RESUME_SUBSCRIPTION, use_cases.resume)
    runtime.serve(contract.ROTATE_SECRET, use_cases.rotate)
    runtime.serve(contract.TEST_SUBSCRIPTION, use_cases.test)
