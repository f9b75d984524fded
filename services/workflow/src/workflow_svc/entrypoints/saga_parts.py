"""workflow's parts of the platform's sagas, served as internal commands: cloning an event (copy, and
drop to undo it) and erasing a person."""

from plenary_contracts.saga_parts import COPY_EVENT_PART, DROP_EVENT_PART, ERASE_PERSON
from plenary_kit.service import Runtime

from ..application.cloning import copy_event_part, drop_event_part
from ..application.erasure import SERVICE, erase_person


def register(runtime: Runtime) -> None:
    runtime.serve(COPY_EVENT_PART[SERVICE], copy_event_part)
    runtime.serve(DROP_EVENT_PART[SERVICE], drop_event_part)
    runtime.serve(ERASE_PERSON[SERVICE], erase_person)
