"""The outbound client against a small HTTP server of the test's own on 127.0.0.1, and against a fake network
backend that records where it was asked to connect."""

import asyncio
import ipaddress
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import httpcore
import pytest

from plenary_kit.outbound import AddressPolicy, BlockedDestination, OutboundClient, OutboundError, OutboundTimeout

LOCAL = AddressPolicy.allowing(["127.0.0.0/8"])
PUBLIC = "93.184.216.34"


@dataclass
class Receiver:
    """A minimal HTTP/1.1 server: answers each request with what ``respond`` says, counts connections."""

    respond: Callable[[bytes], bytes]
    connections: int = 0
    requests: list[bytes] = field(default_factory=list)
    port: int = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                body = await reader.readexactly(length)
                self.requests.append(head + body)
                answer = self.respond(body)
                if not answer:
                    await asyncio.sleep(3600)
                writer.write(answer)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


def answer(status: int, body: bytes = b"", *extra: str) -> bytes:
    headers = [f"HTTP/1.1 {status} X", f"Content-Length: {len(body)}", *extra]
    return ("\r\n".join(headers) + "\r\n\r\n").encode() + body


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    found = Receiver(lambda body: answer(200, b"ok"))
    server = await asyncio.start_server(found.handle, "127.0.0.1", 0)
    found.port = server.sockets[0].getsockname()[1]
    try:
        yield found
    finally:
        server.close()


class RecordingBackend:
    """Records every connection asked of it and refuses them all."""

    def __init__(self) -> None:
        self.hosts: list[str] = []

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        self.hosts.append(host)
        raise httpcore.ConnectError("refused by the test")

    async def sleep(self, seconds):
        await asyncio.sleep(seconds)


def resolving(*answers: list[str]):
    """A resolver giving each answer in turn (the last one again once they run out)."""
    calls: list[str] = []

    async def resolve(host: str, port: int):
        calls.append(host)
        chosen = answers[min(len(calls), len(answers)) - 1]
        return [ipaddress.ip_address(a) for a in chosen]

    resolve.calls = calls  # type: ignore[attr-defined]
    return resolve


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://hooks.example.com/x", "the URL must use https"),
        ("ftp://hooks.example.com/x", "the URL must use https"),
        ("https:///x", "the URL has no host"),
        ("https://user:pw@hooks.example.com/x", "the URL must not carry credentials"),
        ("https://hooks.example.com:99999/x", "not a URL: Port out of range 0-65535"),
    ],
)
def test_urls_outside_the_rules_are_refused_before_any_dns(url, problem):
    assert OutboundClient().url_problem(url) == problem


def test_http_is_accepted_only_where_the_deployment_allows_it():
    assert OutboundClient(allow_http=True).url_problem("http://hooks.example.com/x") is None
    assert OutboundClient().url_problem("https://hooks.example.com/x") is None


async def test_a_name_resolving_to_an_inner_address_is_refused_before_any_connection():
    backend = RecordingBackend()
    client = OutboundClient(resolver=resolving(["10.0.0.7"]), network_backend=backend)
    with pytest.raises(BlockedDestination, match=r"resolves to 10\.0\.0\.7: private"):
        await client.post("https://hooks.example.com/x", b"{}", [], timeout=1)
    assert backend.hosts == []


async def test_one_inner_address_among_public_ones_refuses_the_name():
    backend = RecordingBackend()
    client = OutboundClient(resolver=resolving([PUBLIC, "169.254.169.254"]), network_backend=backend)
    with pytest.raises(BlockedDestination, match="cloud metadata"):
        await client.post("https://hooks.example.com/x", b"{}", [], timeout=1)
    assert backend.hosts == []


async def test_the_connection_goes_to_the_checked_address_and_every_new_one_is_checked_again():
    backend = RecordingBackend()
    rebinding = resolving([PUBLIC], ["127.0.0.1"])  # the second answer points inside (DNS rebinding)
    client = OutboundClient(resolver=rebinding, network_backend=backend)
    with pytest.raises(OutboundError):
        await client.post("https://hooks.example.com/x", b"{}", [], timeout=1)
    assert backend.hosts == [PUBLIC]  # the address that was checked, never the name
    with pytest.raises(BlockedDestination, match="loopback"):
        await client.post("https://hooks.example.com/x", b"{}", [], timeout=1)
    assert backend.hosts == [PUBLIC]
    assert rebinding.calls == ["hooks.example.com", "hooks.example.com"]


async def test_destination_problem_resolves_the_host_as_a_delivery_would():
    client = OutboundClient(resolver=resolving(["192.168.0.10"]))
    assert await client.destination_problem("https://hooks.example.com/x") == (
        "hooks.example.com resolves to 192.168.0.10: private"
    )
    assert await OutboundClient(resolver=resolving([PUBLIC])).destination_problem("https://a.example/x") is None


@pytest.mark.parametrize("host", ["127.0.0.1", "2130706433", "0x7f.1", "0177.0.0.1", "[::ffff:127.0.0.1]"])
async def test_loopback_in_any_spelling_is_refused_without_the_allow_list(receiver, host):
    client = OutboundClient(allow_http=True)
    with pytest.raises(BlockedDestination, match="loopback"):
        await client.post(f"http://{host}:{receiver.port}/hook", b"{}", [], timeout=1)
    assert receiver.connections == 0


async def test_an_allowed_local_receiver_gets_the_post_and_its_answer_comes_back_cut_to_the_kept_size(receiver):
    receiver.respond = lambda body: answer(201, b"x" * 5000, "X-Trace: abc")
    client = OutboundClient(LOCAL, allow_http=True, keep_body_bytes=1024)
    response = await client.post(
        f"http://127.0.0.1:{receiver.port}/hook", b'{"a":1}', [("Content-Type", "application/json")], timeout=2
    )
    await client.aclose()
    assert response.status == 201
    assert response.body == b"x" * 1024
    assert response.headers["x-trace"] == "abc"
    assert receiver.requests[0].startswith(b"POST /hook HTTP/1.1")
    assert receiver.requests[0].endswith(b'{"a":1}')


async def test_redirects_are_not_followed(receiver):
    receiver.respond = lambda body: answer(302, b"", "Location: http://169.254.169.254/latest/meta-data")
    client = OutboundClient(LOCAL, allow_http=True)
    response = await client.post(f"http://127.0.0.1:{receiver.port}/hook", b"{}", [], timeout=2)
    await client.aclose()
    assert response.status == 302
    assert len(receiver.requests) == 1


async def test_calls_to_one_host_share_a_kept_alive_connection(receiver):
    client = OutboundClient(LOCAL, allow_http=True)
    for _ in range(3):
        assert (await client.post(f"http://127.0.0.1:{receiver.port}/hook", b"{}", [], timeout=2)).status == 200
    await client.aclose()
    assert (receiver.connections, len(receiver.requests)) == (1, 3)


async def test_a_receiver_that_never_answers_times_out_at_the_attempts_deadline(receiver):
    receiver.respond = lambda body: b""
    client = OutboundClient(LOCAL, allow_http=True)
    started = asyncio.get_running_loop().time()
    with pytest.raises(OutboundTimeout, match="Request timed out after 200ms"):
        await client.post(f"http://127.0.0.1:{receiver.port}/hook", b"{}", [], timeout=0.2)
    assert asyncio.get_running_loop().time() - started < 1.5
    await client.aclose()


async def test_a_closed_port_is_a_network_error():
    client = OutboundClient(LOCAL, allow_http=True)
    with pytest.raises(OutboundError):
        await client.post("http://127.0.0.1:1/hook", b"{}", [], timeout=1)
