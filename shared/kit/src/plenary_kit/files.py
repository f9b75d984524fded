"""The files bucket (NATS object store): uploads the gateway stores and files services write.

Keys start with the tenant id, so whoever serves a file can check it belongs to the caller's tenant.
A file is described first (``describe_file``: its key, size and digest, no I/O) and stored after, so a
caller can validate a request that names the file before anything is written.
"""

import asyncio
import hashlib
import io
import re
import uuid
from collections.abc import AsyncGenerator, AsyncIterator

from nats.js import JetStreamContext
from nats.js.errors import NotFoundError, ObjectNotFoundError

from plenary_contracts.files import StoredFile
from plenary_contracts.streams import FILES_BUCKET

_UNSAFE = re.compile(r"[^A-Za-z0-9_.\-]+")
_UNIQUE = re.compile(r"^[0-9a-f]{32}$")


class FileMissing(LookupError):
    pass


def file_key(tenant_id: str, kind: str, file_name: str, unique: str | None = None) -> str:
    """``<tenant>/<kind>/<unique>/<safe name>``; ``unique`` (32 hex digits) makes the key repeatable."""
    if unique is not None and not _UNIQUE.match(unique):
        raise ValueError("unique must be 32 lower-case hex digits")
    safe = _UNSAFE.sub("_", file_name)[-100:].strip("._") or "file"
    return f"{tenant_id}/{kind}/{unique or uuid.uuid4().hex}/{safe}"


def belongs_to(file: StoredFile, tenant_id: str | None) -> bool:
    return tenant_id is not None and file.key.startswith(f"{tenant_id}/")


def describe_file(tenant_id: str, kind: str, file_name: str, content_type: str, data: bytes) -> StoredFile:
    return StoredFile(
        key=file_key(tenant_id, kind, file_name),
        file_name=file_name,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


async def store_file(js: JetStreamContext, file: StoredFile, data: bytes) -> None:
    """Write a described file (again: the same key is simply replaced)."""
    store = await js.object_store(FILES_BUCKET.name)
    await store.put(file.key, data)


async def put_file(
    js: JetStreamContext, tenant_id: str, kind: str, file_name: str, content_type: str, data: bytes
) -> StoredFile:
    file = describe_file(tenant_id, kind, file_name, content_type, data)
    await store_file(js, file, data)
    return file


async def read_file(js: JetStreamContext, key: str) -> bytes:
    store = await js.object_store(FILES_BUCKET.name)
    sink = io.BytesIO()  # the client's own collecting concatenates bytes per chunk: quadratic on big files
    try:
        await store.get(key, writeinto=sink)  # type: ignore[arg-type]
    except (ObjectNotFoundError, NotFoundError) as error:
        raise FileMissing(key) from error
    return sink.getvalue()


async def delete_file(js: JetStreamContext, key: str) -> None:
    store = await js.object_store(FILES_BUCKET.name)
    try:
        await store.delete(key)
    except (ObjectNotFoundError, NotFoundError):
        pass


async def put_streamed(js: JetStreamContext, key: str, chunks: AsyncGenerator[bytes, None]) -> tuple[int, str]:
    """Write the chunks to the files bucket as they come; returns the file's size and SHA-256 (hex).

    The object store reads a file object in a worker thread, one store chunk at a time; ``_Pulled`` is such
    a file whose bytes come from ``chunks``, each one produced on the event loop when the store asks."""
    store = await js.object_store(FILES_BUCKET.name)
    source = _Pulled(chunks, asyncio.get_running_loop())
    try:
        await store.put(key, source)  # type: ignore[arg-type]
    finally:
        await chunks.aclose()
    return source.size, source.digest.hexdigest()


class _Pulled(io.RawIOBase):
    """A readable binary file over an async iterator of bytes, read from another thread than the loop's."""

    def __init__(self, chunks: AsyncIterator[bytes], loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self._chunks = chunks
        self._loop = loop
        self._held = memoryview(b"")
        self._done = False
        self.size = 0
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def,override]
        while not self._held and not self._done:
            chunk = asyncio.run_coroutine_threadsafe(self._next(), self._loop).result()
            if chunk is None:
                self._done = True
            else:
                self._held = memoryview(chunk)
                self.size += len(chunk)
                self.digest.update(chunk)
        count = min(len(buffer), len(self._held))
        buffer[:count] = self._held[:count]
        self._held = self._held[count:]
        return count

    async def _next(self) -> bytes | None:
        try:
            return await anext(self._chunks)
        except StopAsyncIteration:
            return None
