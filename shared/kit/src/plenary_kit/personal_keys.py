"""Per-person keys that seal personal data inside events, and their destruction on erasure.

Each person's key is 32 random bytes kept in the ``plenary_person_keys`` KV bucket under
``<tenant>.<person>``, itself sealed there under a key derived from ``PLENARY_PERSONAL_DATA_SECRET`` (a copy
of the bucket alone opens nothing). A producer creates the key the first time it seals data about that
person (``kv.create``: of two producers racing, one writes and both read it back); erasure purges it, which
removes every revision from the bucket's stream. From then on every sealed value about that person reads
as erased, wherever the event is: a stream, an outbox row, a dead letter, a replay.

Keys read are cached per process (a consumer sees the same people again and again), and the cache forgets a
key as soon as the bucket announces its purge: a plain subscription to the bucket's subjects, as
``KvMirror`` does, and the purge itself forgets it at once in the process that erases.
"""

import asyncio
import base64
import contextlib
import json
import os
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from nacl.exceptions import CryptoError
from nacl.secret import SecretBox
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue

from plenary_contracts.envelope import CloudEvent
from plenary_contracts.personal import ERASED, SEALED, Personal, erased_value, is_sealed
from plenary_contracts.registry import EVENTS_BY_TYPE
from plenary_contracts.streams import PERSON_KEYS_BUCKET

from .sealing import Sealer

_CACHED = 100_000  # keys (and "erased" answers) kept per process
_ABSENT = b""  # cached for a person whose key is gone


class PersonKeysUnavailable(RuntimeError):
    """Sealing needs the key store, which is not connected (a unit of work made outside a runtime)."""


def key_name(tenant_id: str | None, person: str) -> str:
    return f"{tenant_id or '_'}.{person}"


class PersonKeys:
    def __init__(self, secret: str) -> None:
        self._wrap = Sealer(secret, "person-keys")
        self._cache: OrderedDict[str, bytes] = OrderedDict()
        self._kv: KeyValue | None = None
        self._subscription: Any = None

    async def start(self, nc: Client) -> None:
        self._kv = await nc.jetstream().key_value(PERSON_KEYS_BUCKET.name)
        self._subscription = await nc.subscribe(f"$KV.{PERSON_KEYS_BUCKET.name}.>", cb=self._on_change)

    async def stop(self) -> None:
        if self._subscription is not None:
            with contextlib.suppress(Exception):
                await self._subscription.unsubscribe()
            self._subscription = None

    # --- keys ---

    async def forget(self, tenant_id: str, person: str) -> None:
        """Destroy the person's key: everything sealed with it becomes unreadable, everywhere."""
        name = key_name(tenant_id, person)
        await self._store().purge(name)
        self._remember(name, _ABSENT)

    async def _keys(self, names: Iterable[str], *, create: bool) -> dict[str, bytes]:
        """The raw key of each name (``_ABSENT`` for a destroyed one); created where missing if ``create``."""
        wanted = set(names)
        found = {name: self._cache[name] for name in wanted if name in self._cache}
        missing = [name for name in wanted if name not in found or (create and found[name] == _ABSENT)]
        if missing:
            read = await asyncio.gather(*(self._load(name, create=create) for name in missing))
            for name, key in zip(missing, read, strict=True):
                found[name] = key
                self._remember(name, key)
        return found

    async def _load(self, name: str, *, create: bool) -> bytes:
        store = self._store()
        if create:
            fresh = os.urandom(SecretBox.KEY_SIZE)
            try:
                await store.create(name, self._wrap.seal_bytes(fresh))
                return fresh
            except KeyWrongLastSequenceError:
                pass  # made already (by another producer, or before)
        try:
            entry = await store.get(name)
        except KeyNotFoundError:
            return _ABSENT
        return self._wrap.unseal_bytes(entry.value) if entry.value else _ABSENT

    def _store(self) -> KeyValue:
        if self._kv is None:
            raise PersonKeysUnavailable("the person key store is not started")
        return self._kv

    def _remember(self, name: str, key: bytes) -> None:
        self._cache[name] = key
        self._cache.move_to_end(name)
        while len(self._cache) > _CACHED:
            self._cache.popitem(last=False)

    async def _on_change(self, msg: Msg) -> None:
        if (msg.headers or {}).get("KV-Operation") in ("DEL", "PURGE"):
            self._remember(msg.subject.removeprefix(f"$KV.{PERSON_KEYS_BUCKET.name}."), _ABSENT)

    # --- events ---

    async def seal(self, events: Iterable[CloudEvent]) -> None:
        """Seal, in place, the personal values of the events whose type declares them. A value already as
        it reads once erased (empty) stays as it is: an event about an erased person needs no new key."""
        found = [
            (each, values)
            for each in _personal((e.type, e.tenantid, e.data) for e in events)
            if each.person and (values := [(p, f) for p, f in each.personal.values(each.data) if _worth_sealing(p[f])])
        ]
        if not found:
            return
        keys = await self._keys({each.key_name for each, _ in found}, create=True)
        for each, values in found:
            box = SecretBox(keys[each.key_name])
            for parent, field in values:
                value = parent[field]
                plain = json.dumps(value, separators=(",", ":")).encode()
                sealed = base64.b64encode(bytes(box.encrypt(plain))).decode("ascii")
                parent[field] = {SEALED: sealed, ERASED: erased_value(value)}

    async def unseal(self, events: Iterable[CloudEvent]) -> None:
        """Open, in place, the sealed values of the events; a value whose key is gone reads as erased."""
        await self._unseal(_personal((e.type, e.tenantid, e.data) for e in events))

    async def unseal_envelopes(self, envelopes: Iterable[dict[str, Any]]) -> None:
        """``unseal`` for structured CloudEvents as dicts (``type``, ``tenantid``, ``data``)."""
        await self._unseal(_personal((e.get("type", ""), e.get("tenantid"), e.get("data")) for e in envelopes))

    async def _unseal(self, found: "list[_Personal]") -> None:
        names = {each.key_name for each in found if each.person}
        keys = await self._keys(names, create=False) if names else {}
        for each in found:
            key = keys.get(each.key_name) if each.person else None
            box = SecretBox(key) if key else None
            for parent, field in each.personal.values(each.data):
                if is_sealed(parent[field]):
                    parent[field] = _opened(box, parent[field])


@dataclass(frozen=True)
class _Personal:
    """An event's data that declares personal values, and the person it names (None: it names nobody)."""

    tenant_id: str | None
    data: dict[str, Any]
    personal: Personal
    person: str | None

    @property
    def key_name(self) -> str:
        return key_name(self.tenant_id, self.person or "")


async def open_events(keys: PersonKeys | None, events: list[CloudEvent]) -> None:
    """Open the sealed personal values of ``events`` in place; with no key store they read as erased."""
    if keys is not None:
        await keys.unseal(events)
    else:
        read_as_erased(events)


async def open_envelopes(keys: PersonKeys | None, envelopes: list[dict[str, Any]]) -> None:
    """``open_events`` for structured CloudEvents as dicts (``type``, ``tenantid``, ``data``)."""
    if keys is not None:
        await keys.unseal_envelopes(envelopes)
    else:
        _erase_sealed(_personal((e.get("type", ""), e.get("tenantid"), e.get("data")) for e in envelopes))


def read_as_erased(events: Iterable[CloudEvent]) -> None:
    """Replace, in place, every sealed value of ``events`` by what it reads as once erased: for a reader that
    needs no one's details (a projection that counts), without a key store."""
    _erase_sealed(_personal((e.type, e.tenantid, e.data) for e in events))


def _erase_sealed(found: list[_Personal]) -> None:
    for each in found:
        for parent, field in each.personal.values(each.data):
            if is_sealed(parent[field]):
                parent[field] = parent[field].get(ERASED)


def _worth_sealing(value: Any) -> bool:
    return not is_sealed(value) and value != erased_value(value)


def sealed_by_type(event_type: str) -> bool:
    spec = EVENTS_BY_TYPE.get(event_type)
    return spec is not None and spec.personal is not None


def _opened(box: SecretBox | None, value: dict[str, Any]) -> Any:
    if box is None:
        return value.get(ERASED)
    try:
        return json.loads(box.decrypt(base64.b64decode(value[SEALED])))
    except (CryptoError, ValueError):
        return value.get(ERASED)


def _personal(events: Iterable[tuple[str, str | None, Any]]) -> list[_Personal]:
    found = []
    for event_type, tenant_id, data in events:
        spec = EVENTS_BY_TYPE.get(event_type)
        if spec is not None and spec.personal is not None and isinstance(data, dict):
            found.append(_Personal(tenant_id, data, spec.personal, spec.personal.person_of(data)))
    return found
