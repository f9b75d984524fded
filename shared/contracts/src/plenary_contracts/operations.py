"""Command and query contracts served on core NATS request/reply.

Each names its request, reply, errors, permission, gating flag and HTTP route; the gateway builds its
routes and OpenAPI document from these alone.
"""

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field

from .errors import ErrorBody, ErrorCode
from .flags import FlagKey
from .model import Model
from .permissions import Permission
from .services import SERVICES

# Request headers carrying who asks and why, set by the gateway (or a service calling another).
API_PREFIX = "/api/v1"  # where the gateway mounts every HttpRoute

TENANT = "Plenary-Tenant"
ACTOR = "Plenary-Actor"
ROLES = "Plenary-Roles"
CORRELATION_ID = "Plenary-Correlation-Id"
IDEMPOTENCY_KEY = "Idempotency-Key"
IDEMPOTENCY_KEY_ALIAS = "X-Idempotency-Key"  # accepted at the HTTP edge too
GRANTS = "Plenary-Grants"  # the caller's role grants (``access.encode_grants``), for own/event checks
CREDENTIAL = "Plenary-Credential"  # "session:<id>" or "api_key:<id>": how the actor authenticated
CLIENT_IP = "Plenary-Client-Ip"
USER_AGENT = "Plenary-User-Agent"
IF_MATCH = "Plenary-If-Match"
SHOWN_ONCE = "(shown once: not kept, so a retried request cannot show it again)"


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
    upload: str | None = None  # the request field (a StoredFile) the gateway fills from the raw body
    download: bool = False  # the reply is a StoredFile the gateway streams as the response body

    @property
    def path_params(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.path)

    def url(self, **params: str) -> str:
        """The path as the gateway serves it, with the path parameters filled in."""
        return API_PREFIX + self.path.format(**params)


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
    public: bool = False  # no credential needed (login, refresh, key set)
    global_only: bool = False  # only a global admin (a user with no tenant) may call it
    timeout_seconds: float = 5.0
    # Fields of the reply's data (wire names) holding a secret shown once (a new key): a command's stored reply,
    # kept to answer a retry with the same Idempotency-Key, holds SHOWN_ONCE there instead of the secret
    shown_once: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.service not in SERVICES:
            raise ValueError(f"unknown service {self.service!r}")
        if self.public and (self.permission or self.global_only):
            raise ValueError(f"{self.name}: a public operation needs no permission")
        if self.shown_once and self.kind is not OperationKind.COMMAND:
            raise ValueError(f"{self.name}: only a command's reply is stored for retries")
        if self.http is not None:
            fields = {name for name, f in self.request.model_fields.items()} | {
                f.alias for f in self.request.model_fields.values() if f.alias
            }
            missing = [p for p in self.http.path_params if p not in fields]
            if missing:
                raise ValueError(f"{self.name}: path parameter(s) {missing} are not fields of {self.request.__name__}")
            if self.http.upload is not None and self.http.upload not in self.request.model_fields:
                raise ValueError(f"{self.name}: upload field {self.http.upload!r} is not in {self.request.__name__}")

    @property
    def subject(self) -> str:
        return f"{self.kind.value}.{self.service}.{self.name}"


class Reply(BaseModel):
    """The wire shape of every reply: ``ok`` with ``data``, or not ``ok`` with ``error``."""

    ok: bool
    data: dict[str, Any] | list[Any] | None = None
    error: ErrorBody | None = None


class Empty(Model):
    pass


class HealthReply(BaseModel):
    service: str
    ready: bool
    checks: dict[str, bool] = Field(default_factory=dict)


def health_subject(service: str) -> str:
    """Every service answers readiness here; the gateway's /healthz asks them all."""
    return f"qry.{service}.health"
