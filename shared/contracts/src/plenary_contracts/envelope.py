"""CloudEvents 1.0 envelope with Plenary's extensions, and its NATS binary-mode mapping.

In binary content mode the attributes travel as ``ce-<name>`` headers and the payload is the data
alone; ``id`` is also sent as ``Nats-Msg-Id`` so JetStream drops a republished event.
"""

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import from_json, to_json

NATS_MSG_ID = "Nats-Msg-Id"
CONTENT_TYPE = "Content-Type"
TENANT_HEADER = "Plenary-Tenant"
CE_PREFIX = "ce-"

_REQUIRED = ("id", "source", "type", "specversion")
_OPTIONAL = (
    "time",
    "subject",
    "dataschema",
    "tenantid",
    "actorid",
    "correlationid",
    "causationid",
    "credential",
    "clientip",
    "useragent",
    "lane",
)
_ATTRIBUTES = _REQUIRED + _OPTIONAL


class CloudEvent(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    id: UUID = Field(default_factory=uuid4)
    source: str
    type: str
    specversion: str = "1.0"
    time: datetime = Field(default_factory=lambda: datetime.now(UTC))
    subject: str | None = None
    datacontenttype: str = "application/json"
    dataschema: str | None = None
    tenantid: str | None = None
    actorid: str | None = None
    correlationid: str | None = None
    causationid: str | None = None
    # audit: how the actor authenticated and from where (set for events a request caused)
    credential: str | None = None
    clientip: str | None = None
    useragent: str | None = None
    lane: str | None = None  # "bulk" for events a bulk operation caused (streams.lane_subject)
    data: dict[str, Any] = Field(default_factory=dict)

    def to_nats_headers(self) -> dict[str, str]:
        return nats_headers({name: getattr(self, name) for name in (*_ATTRIBUTES, "datacontenttype")})

    def to_nats_payload(self) -> bytes:
        return to_json(self.data)

    @classmethod
    def from_nats(cls, headers: dict[str, str] | None, payload: bytes) -> "CloudEvent":
        headers = headers or {}
        attributes: dict[str, Any] = {
            name[len(CE_PREFIX) :]: value for name, value in headers.items() if name.startswith(CE_PREFIX)
        }
        missing = [n for n in _REQUIRED if n not in attributes]
        if missing:
            raise ValueError(f"not a CloudEvent: missing header(s) {', '.join(CE_PREFIX + m for m in missing)}")
        attributes["datacontenttype"] = headers.get(CONTENT_TYPE, "application/json")
        return cls.model_validate({**attributes, "data": from_json(payload or b"{}")})


def nats_headers(attributes: Mapping[str, Any]) -> dict[str, str]:
    """The NATS headers of an event from its attributes: a ``CloudEvent``'s fields or a stored envelope's
    JSON (where ``time`` is already text), so an envelope is sent without being rebuilt as a model."""
    headers = {
        NATS_MSG_ID: str(attributes["id"]),
        CONTENT_TYPE: attributes.get("datacontenttype") or "application/json",
    }
    for name in _ATTRIBUTES:
        value = attributes.get(name)
        if value is not None:
            headers[CE_PREFIX + name] = value.isoformat() if isinstance(value, datetime) else str(value)
    if attributes.get("tenantid"):
        headers[TENANT_HEADER] = attributes["tenantid"]
    return headers
