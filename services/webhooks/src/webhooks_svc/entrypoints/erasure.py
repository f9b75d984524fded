"""The erasure saga's command for webhooks (internal: no HTTP route, called by registration's saga)."""

from plenary_contracts.saga_parts import ERASE_PERSON
from plenary_kit.service import Runtime

from ..application import erasure


def register(runtime: Runtime) -> None:
    runtime.serve(ERASE_PERSON[erasure.SERVICE], erasure.erase_person)
