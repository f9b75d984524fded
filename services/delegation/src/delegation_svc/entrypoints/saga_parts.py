"""delegation's parts of the two sagas on the bus (internal commands: no route, no permission)."""

from plenary_contracts.saga_parts import COPY_EVENT_PART, DROP_EVENT_PART, ERASE_PERSON
from plenary_kit.service import Runtime

from ..application import erasure, event_parts


def register(runtime: Runtime) -> None:
    runtime.serve(COPY_EVENT_PART["delegation"], event_parts.copy_event_part)
    runtime.serve(DROP_EVENT_PART["delegation"], event_parts.drop_event_part)
    runtime.serve(ERASE_PERSON["delegation"], erasure.erase_person)
