"""Command and query contracts served on core NATS request/reply.

Each names its request, reply, errors, permission, gating flag and HTTP route; the gateway builds its
routes and OpenAPI document from these alone.
"""

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field

from .errors import ErrorBody, ErrorCode
from .flags import FlagKey
from .permissions import Permission
from .services import SERVICES

# Request headers carrying who asks and why, set by the gateway (or a service calling another).
TENANT = "Plenary-Tenant"
ACTOR = "Plenary-Actor"
ROLES = "Plenary-Roles"
CORRELATION_ID = "Plenary-Correlation-Id"
IDEMPOTENCY_KEY = "Idempotency-Key"


class OperationKind(StrEnum):
    COMMAND = "cmd"
    QUERY = "qry"


@dataclass(frozen=True)
class HttpRoute:
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
    path: str
    status_code: int = 200
    summary: str = ""
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class OperationSpec:
    service: str
    name: str
    kind: OperationKind
    request: type[BaseModel]
    reply: type[BaseModel]
    description: str
    errors: tuple[ErrorCode, ...] = ()
    permission: Permission | None = None
    flag: FlagKey | None = None
    http: HttpRoute | None = None
    timeout_seconds: float = 5.0
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.service not in SERVICES:
            raise ValueError(f"unknown service {self.service!r}")

    @property
    def subject(self) -> str:
        return f"{self.kind.value}.{self.service}.{self.name}"


class Reply(BaseModel):
    """The wire shape of every reply: ``ok`` with ``data``, or not ``ok`` with ``error``."""

    ok: bool
    data: dict[str, Any] | list[Any] | None = None
    error: ErrorBody | None = None


class Empty(BaseModel):
    pass


class HealthReply(BaseModel):
    service: str
    ready: bool
    checks: dict[str, bool] = Field(default_factory=dict)


def health_subject(service: str) -> str:
    """Every service answers readiness here; the gateway's /healthz asks them all."""
    return f"qry.{service}.health"
