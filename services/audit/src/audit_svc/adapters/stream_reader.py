"""The events themselves, read from their streams by sequence (the index says where), a page at once."""

import asyncio
import json
from dataclasses import dataclass
from typing import Any

from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from plenary_contracts.envelope import CE_PREFIX, CONTENT_TYPE
from plenary_kit.service import Runtime

from ..domain.entries import Entry


@dataclass(frozen=True)
class StoredEvent:
    stream: str
    sequence: int
    subject: str
    tenant_id: str | None
    envelope: dict[str, Any]  # the CloudEvent as stored: its ``ce-`` attributes, datacontenttype and data


def envelope_of(headers: dict[str, str] | None, payload: bytes | None) -> dict[str, Any]:
    """The structured CloudEvent of a message in the binary NATS binding, its attributes as they were sent."""
    headers = headers or {}
    attributes: dict[str, Any] = {
        name[len(CE_PREFIX) :]: value for name, value in headers.items() if name.startswith(CE_PREFIX)
    }
    attributes["datacontenttype"] = headers.get(CONTENT_TYPE, "application/json")
    attributes["data"] = json.loads(payload) if payload else {}
    return attributes


class StreamReader:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime  # its NATS connection exists only once the runtime started

    async def read(self, entries: list[Entry]) -> list[StoredEvent]:
        """The entries' events in the entries' order, fetched concurrently; one gone from its stream (past the
        stream's max age) is left out. Personal data sealed in them is opened, or reads as erased once the
        person's key is gone."""
        assert self.runtime.nc is not None
        js = self.runtime.nc.jetstream()
        found = [event for event in await asyncio.gather(*(self._one(js, entry) for entry in entries)) if event]
        await self.runtime.person_keys.unseal_envelopes(event.envelope for event in found)
        return found

    async def _one(self, js: JetStreamContext, entry: Entry) -> StoredEvent | None:
        try:
            msg = await js.get_msg(entry.stream, seq=entry.stream_seq, direct=True)
        except NotFoundError:
            return None
        envelope = envelope_of(msg.headers, msg.data)
        return StoredEvent(entry.stream, entry.stream_seq, msg.subject or "", envelope.get("tenantid"), envelope)
