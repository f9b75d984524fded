"""Builders every catalog uses to declare its service's events, commands, queries and routes."""

from typing import Any

from pydantic import BaseModel

from .events import EventSpec
from .operations import HttpRoute, OperationKind, OperationSpec
from .personal import Personal


def route(method: Any, path: str, summary: str, tag: str, status_code: int = 200, **kw: Any) -> HttpRoute:
    return HttpRoute(method, path, status_code=status_code, summary=summary, tags=(tag,), **kw)


class Specs:
    """One service's specs: ``Specs("events").command(...)`` names the service once."""

    def __init__(self, service: str) -> None:
        self.service = service

    def event(
        self, entity: str, verb: str, payload: type[BaseModel], description: str, *, personal: Personal | None = None
    ) -> EventSpec:
        return EventSpec(self.service, entity, verb, payload, description, personal=personal)

    def command(
        self, name: str, request: type[BaseModel], reply: type[BaseModel], description: str, **kw: Any
    ) -> OperationSpec:
        return OperationSpec(self.service, name, OperationKind.COMMAND, request, reply, description, **kw)

    def query(
        self, name: str, request: type[BaseModel], reply: type[BaseModel], description: str, **kw: Any
    ) -> OperationSpec:
        return OperationSpec(self.service, name, OperationKind.QUERY, request, reply, description, **kw)
