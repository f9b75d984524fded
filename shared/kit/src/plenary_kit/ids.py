"""Row ids are cuid2 strings (short, sortable, collision-resistant); event ids are UUIDs."""

from uuid import UUID, uuid4

from cuid2 import create_id


def new_id() -> str:
    return create_id()


def new_event_id() -> UUID:
    return uuid4()
