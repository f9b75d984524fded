"""What a tenant asks of its log: the index query's terms."""

from dataclasses import dataclass

from .window import Position, Window


@dataclass(frozen=True)
class LogFilter:
    tenant_id: str
    window: Window
    types: tuple[str, ...] = ()
    entity_id: str | None = None
    actor_id: str | None = None
    newest_first: bool = True
    after: Position | None = None
