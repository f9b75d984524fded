"""custom-objects' part of the sagas: erasing a person (it holds no configuration of an event to clone)."""

from plenary_contracts.saga_parts import ERASE_PERSON
from plenary_kit.service import Runtime

from ..application import erasure


def register(runtime: Runtime) -> None:
    runtime.serve(ERASE_PERSON["custom-objects"], erasure.erase_person)
