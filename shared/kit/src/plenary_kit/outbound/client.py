"""The one client every outbound HTTP call goes through (webhooks, message providers).

- Destinations: ``https`` only unless the deployment allows ``http``; no credentials in the URL. Every
  connection the client opens resolves the host, refuses it if any address it resolves to is not public
  (``AddressPolicy``), and then connects to an address it checked, never to the name again: a DNS answer that
  changes between the check and the connection (rebinding) cannot move the request to an inner address. TLS
  still verifies the certificate against the host name (SNI). A kept-alive connection stays on the address
  that was checked when it was opened.
- No redirects are followed: a 3xx is an answer like any other.
- Every attempt has one deadline for the whole exchange (connect, send, wait, read), whatever the server does.
- Connections are pooled and kept alive per host (origin), so a receiver taking many calls pays one handshake.
"""

import asyncio
import socket
import ssl
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpcore

from .addresses import Address, AddressPolicy, literal_address

Resolver = Callable[[str, int], Awaitable[Sequence[Address]]]
READ_LIMIT = 64 * 1024  # a body longer than this is not read to the end (its connection is then not reused)


class OutboundError(Exception):
    """The request got no HTTP answer: refused destination, DNS, connection, TLS, protocol, timeout."""


class BlockedDestination(OutboundError):
    """The URL or an address it resolves to is not one outbound HTTP may reach."""


class OutboundTimeout(OutboundError):
    pass


@dataclass(frozen=True)
class OutboundResponse:
    status: int
    headers: dict[str, str]  # lower-case names; repeated headers joined with ", "
    body: bytes  # at most the ``keep_body_bytes`` the client was made with
    elapsed_ms: int


async def system_resolver(host: str, port: int) -> list[Address]:
    """Every address the system resolver gives for ``host``, in its order, once each."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    found: list[Address] = []
    for info in infos:
        address = literal_address(str(info[4][0]))
        if address is not None and address not in found:
            found.append(address)
    return found


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, resolving and checking every host before it connects to the checked address."""

    def __init__(self, policy: AddressPolicy, resolver: Resolver = system_resolver, inner: Any = None) -> None:
        self.policy = policy
        self.resolver = resolver
        self.inner = inner or httpcore.AnyIOBackend()

    async def addresses(self, host: str, port: int) -> list[Address]:
        """The addresses ``host`` resolves to, all of them allowed; BlockedDestination otherwise."""
        literal = literal_address(host)
        try:
            found = [literal] if literal is not None else list(await self.resolver(host, port))
        except OSError as error:
            raise OutboundError(f"cannot resolve {host}: {error}") from error
        if not found:
            raise OutboundError(f"{host} resolves to no address")
        for address in found:
            reason = self.policy.refusal(address)
            if reason is not None:
                raise BlockedDestination(f"{host} resolves to {address}: {reason}")
        return found

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        last: Exception | None = None
        for address in await self.addresses(host, port):
            try:
                return await self.inner.connect_tcp(
                    str(address), port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                last = error
        assert last is not None
        raise last

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise BlockedDestination("outbound HTTP never connects to a local socket")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class OutboundClient:
    def __init__(
        self,
        policy: AddressPolicy = AddressPolicy(),
        *,
        allow_http: bool = False,
        max_connections: int = 512,
        keepalive_seconds: float = 60.0,
        keep_body_bytes: int = 1024,
        resolver: Resolver = system_resolver,
        ssl_context: ssl.SSLContext | None = None,
        network_backend: Any = None,
    ) -> None:
        self.allow_http = allow_http
        self.keep_body_bytes = keep_body_bytes
        self.backend = GuardedBackend(policy, resolver, network_backend)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context or ssl.create_default_context(),
            max_connections=max_connections,
            keepalive_expiry=keepalive_seconds,
            network_backend=self.backend,
        )

    def url_problem(self, url: str) -> str | None:
        """What is wrong with ``url`` as a destination before any DNS; None when nothing is."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as error:
            return f"not a URL: {error}"
        if parts.scheme not in ("https", "http"):
            return "the URL must use https"
        if parts.scheme == "http" and not self.allow_http:
            return "the URL must use https"
        if not parts.hostname:
            return "the URL has no host"
        if parts.username is not None or parts.password is not None:
            return "the URL must not carry credentials"
        if port == 0:
            return "the URL's port must not be 0"
        return None

    async def destination_problem(self, url: str) -> str | None:
        """``url_problem``, then whether the host resolves, to allowed addresses only."""
        problem = self.url_problem(url)
        if problem is not None:
            return problem
        parts = urlsplit(url)
        try:
            await self.backend.addresses(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))
        except OutboundError as error:
            return str(error)
        return None

    async def post(
        self, url: str, body: bytes, headers: Sequence[tuple[str, str]], *, timeout: float
    ) -> OutboundResponse:
        """POST ``body``; the answer, whatever its status. OutboundError when there is none."""
        problem = self.url_problem(url)
        if problem is not None:
            raise BlockedDestination(problem)
        started = time.perf_counter()
        limits = {"connect": timeout, "read": timeout, "write": timeout, "pool": timeout}
        try:
            async with asyncio.timeout(timeout):
                async with self._pool.stream(
                    "POST", url, headers=list(headers), content=body, extensions={"timeout": limits}
                ) as response:
                    content = await _read(response, READ_LIMIT)
        except (TimeoutError, httpcore.TimeoutException) as error:
            raise OutboundTimeout(f"Request timed out after {round(timeout * 1000)}ms") from error
        except OutboundError:
            raise
        except (httpcore.NetworkError, httpcore.ProtocolError, httpcore.UnsupportedProtocol, OSError) as error:
            raise OutboundError(f"{type(error).__name__}: {error}" if str(error) else type(error).__name__) from error
        headers_out: dict[str, str] = {}
        for name, value in response.headers:
            key = name.decode("latin-1").lower()
            text = value.decode("latin-1")
            headers_out[key] = f"{headers_out[key]}, {text}" if key in headers_out else text
        return OutboundResponse(
            status=response.status,
            headers=headers_out,
            body=content[: self.keep_body_bytes],
            elapsed_ms=round((time.perf_counter() - started) * 1000),
        )

    async def aclose(self) -> None:
        await self._pool.aclose()


async def _read(response: httpcore.Response, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_stream():
        chunks.append(chunk)
        size += len(chunk)
        if size >= limit:
            break
    return b"".join(chunks)
