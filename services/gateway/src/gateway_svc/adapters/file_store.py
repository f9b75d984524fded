"""The files bucket as the gateway uses it: keep an upload, read a download, drop an upload nobody took."""

from collections.abc import Callable

from nats.aio.client import Client
from nats.js import JetStreamContext

from plenary_contracts.errors import NotFound, ServiceUnavailable
from plenary_contracts.files import StoredFile
from plenary_kit import files


class FileStore:
    def __init__(self, connection: Callable[[], Client | None]) -> None:
        self._connection = connection

    def _js(self) -> JetStreamContext:
        nc = self._connection()
        if nc is None or nc.is_closed:
            raise ServiceUnavailable("the gateway is not connected to the bus")
        return nc.jetstream()

    async def keep(self, file: StoredFile, data: bytes) -> None:
        await files.store_file(self._js(), file, data)

    async def read(self, file: StoredFile) -> bytes:
        try:
            return await files.read_file(self._js(), file.key)
        except files.FileMissing as error:
            raise NotFound("the file is no longer available") from error

    async def drop(self, file: StoredFile) -> None:
        await files.delete_file(self._js(), file.key)
