"""views's part of the clone saga on the bus (internal commands: no route, no permission)."""

from plenary_contracts.saga_parts import COPY_EVENT_PART, DROP_EVENT_PART
from plenary_kit.service import Runtime

from ..application import event_parts


def register(runtime: Runtime) -> None:
    runtime.serve(COPY_EVENT_PART["views"], event_parts.copy_event_part)
    runtime.serve(DROP_EVENT_PART["views"], event_parts.drop_event_part)
