"""The channel adapters, one interface (``send(Outgoing) -> Attempt``): e-mail over SMTP, SMS and push through
an HTTP provider, in-app as notification rows (written with the attempt's result), and a log for development.

None raises: a failure is an ``Attempt`` saying whether another try could succeed.
"""

import asyncio
import base64
import contextlib
import json
from dataclasses import dataclass
from email.header import Header
from email.utils import formatdate, parseaddr

import aiosmtplib

from plenary_contracts.enums import MessageChannel
from plenary_kit.logging import get_logger
from plenary_kit.outbound import BlockedDestination, OutboundClient, OutboundError

from ..domain.channels import DEFAULT_SUBJECT, sms_problem
from ..domain.messages import Attempt, Outgoing

log = get_logger(__name__)
MESSAGE_ID_DOMAIN = "plenary"


def message_id(delivery_id: str) -> str:
    """The e-mail's Message-ID: the delivery's id, so a receiver sees a re-sent message as the same one."""
    return f"<{delivery_id}@{MESSAGE_ID_DOMAIN}>"


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    starttls: bool = True
    tls: bool = False
    username: str = ""
    password: str = ""
    timeout: float = 30.0


class SmtpEmail:
    """E-mail over SMTP on persistent connections, one per concurrent sender: a message waits for a free
    connection, opened on first use and again after the server closed it."""

    def __init__(self, settings: SmtpSettings, connections: int) -> None:
        self.settings = settings
        self._envelope_from = parseaddr(settings.sender)[1] or settings.sender
        self._idle: asyncio.LifoQueue[aiosmtplib.SMTP | None] = asyncio.LifoQueue()
        for _ in range(connections):
            self._idle.put_nowait(None)
        self._open: set[aiosmtplib.SMTP] = set()

    def _client(self) -> aiosmtplib.SMTP:
        s = self.settings
        return aiosmtplib.SMTP(
            hostname=s.host,
            port=s.port,
            use_tls=s.tls,
            start_tls=None if s.starttls and not s.tls else False,  # None: upgrade when the server offers it
            timeout=s.timeout,
            username=s.username or None,
            password=s.password or None,
        )

    def build(self, message: Outgoing) -> bytes:
        """The e-mail as sent: UTF-8, the body base64-encoded (any server takes it). Written out directly rather
        than through ``email.message``, which costs more than the rest of a send together."""
        kind = "html" if message.html else "plain"
        headers = (
            f"From: {self.settings.sender}\r\n"
            f"To: {_header(message.recipient)}\r\n"
            f"Subject: {_header(message.subject or DEFAULT_SUBJECT)}\r\n"
            f"Date: {formatdate(localtime=False)}\r\n"
            f"Message-ID: {message_id(message.delivery_id)}\r\n"
            f"X-Plenary-Delivery: {message.delivery_id}\r\n"
            + (f"List-Unsubscribe: <{message.unsubscribe_link}>\r\n" if message.unsubscribe_link else "")
            + "MIME-Version: 1.0\r\n"
            f"Content-Type: text/{kind}; charset=utf-8\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n"
        )
        body = base64.encodebytes(message.body.encode()).replace(b"\n", b"\r\n")
        return headers.encode() + body

    async def send(self, message: Outgoing) -> Attempt:
        if not message.recipient:
            return Attempt.failed("no e-mail address", "NO_RECIPIENT", permanent=True)
        email = self.build(message)
        client = await self._idle.get()
        try:
            for _ in range(2):  # a connection the server dropped while idle is opened again, once
                if client is None or not client.is_connected:
                    client = await self._connect(client)
                try:
                    await client.sendmail(self._envelope_from, [message.recipient], email)
                    return Attempt.sent(message_id(message.delivery_id))
                except aiosmtplib.SMTPServerDisconnected:
                    await self._discard(client)
                    client = None
            return Attempt.failed("the SMTP server closed the connection", "SMTP_DISCONNECTED")
        except aiosmtplib.SMTPRecipientsRefused as error:
            code = min((r.code for r in error.recipients), default=550)
            return _refused(code, "; ".join(r.message for r in error.recipients))
        except aiosmtplib.SMTPResponseException as error:
            return _refused(error.code, error.message)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            await self._discard(client)
            client = None
            return Attempt.failed(f"{type(error).__name__}: {error}", "SMTP_UNAVAILABLE")
        finally:
            self._idle.put_nowait(client)

    async def _connect(self, stale: aiosmtplib.SMTP | None) -> aiosmtplib.SMTP:
        await self._discard(stale)
        client = self._client()
        await client.connect()
        self._open.add(client)
        return client

    async def _discard(self, client: aiosmtplib.SMTP | None) -> None:
        if client is not None:
            self._open.discard(client)
            with contextlib.suppress(Exception):
                client.close()

    async def aclose(self) -> None:
        for client in list(self._open):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(client.quit(), 2)
            await self._discard(client)


def _header(value: str) -> str:
    """A header value: as it is when plain ASCII on one line, else RFC 2047 encoded (no header injection)."""
    if value.isascii() and "\r" not in value and "\n" not in value:
        return value
    return Header(value.replace("\r", " ").replace("\n", " "), "utf-8").encode()


def _refused(code: int, text: str) -> Attempt:
    """5xx: the server will refuse it again (a bounce); 4xx: try again later."""
    return Attempt.failed(f"{code} {text}".strip(), f"SMTP_{code}", permanent=code >= 500)


class LogChannel:
    """Development: the message is written to the log and counts as sent."""

    def __init__(self, channel: MessageChannel) -> None:
        self.channel = channel

    async def send(self, message: Outgoing) -> Attempt:
        log.info(
            "message (not sent: no provider configured)",
            channel=self.channel.value,
            delivery_id=message.delivery_id,
            recipient=message.recipient,
            subject=message.subject,
            body=message.body[:2000],
        )
        return Attempt.sent(f"log:{message.delivery_id}")


class HttpProvider:
    """SMS or push through an HTTP provider: ``POST <url>`` with a JSON body
    ``{"id", "channel", "to", "subject", "body"}``, ``Authorization: Bearer <token>`` and ``Idempotency-Key:
    <delivery id>``. A 2xx accepts it (its JSON ``id``, if any, is kept as the external id); 408, 429 and
    5xx or no answer are retried; any other 4xx is a permanent refusal."""

    def __init__(self, client: OutboundClient, url: str, token: str, channel: MessageChannel) -> None:
        self.client = client
        self.url = url
        self.token = token
        self.channel = channel

    async def send(self, message: Outgoing) -> Attempt:
        if not message.recipient:
            return Attempt.failed("no phone number or device for this recipient", "NO_RECIPIENT", permanent=True)
        if self.channel is MessageChannel.SMS and (problem := sms_problem(message.body)) is not None:
            return Attempt.failed(problem, "SMS_TOO_LONG", permanent=True)
        body = json.dumps(
            {
                "id": message.delivery_id,
                "channel": self.channel.value,
                "to": message.recipient,
                "subject": message.subject,
                "body": message.body,
            }
        ).encode()
        headers = [
            ("content-type", "application/json"),
            ("idempotency-key", message.delivery_id),
            *([("authorization", f"Bearer {self.token}")] if self.token else []),
        ]
        try:
            response = await self.client.post(self.url, body, headers, timeout=10.0)
        except BlockedDestination as error:
            return Attempt.failed(str(error), "PROVIDER_BLOCKED", permanent=True)
        except OutboundError as error:
            return Attempt.failed(str(error), "PROVIDER_UNAVAILABLE")
        if 200 <= response.status < 300:
            return Attempt.sent(_provider_id(response.body) or message.delivery_id)
        text = f"provider answered {response.status}"
        permanent = 400 <= response.status < 500 and response.status not in (408, 429)
        return Attempt.failed(text, f"PROVIDER_{response.status}", permanent=permanent)


def _provider_id(body: bytes) -> str | None:
    with contextlib.suppress(ValueError, AttributeError):
        found = json.loads(body).get("id")
        return str(found) if found is not None else None
    return None


class InApp:
    """In-app: the notification row is written with the attempt's result, to the user holding the address."""

    async def send(self, message: Outgoing) -> Attempt:
        if not message.recipient:
            return Attempt.failed("no user with this recipient's e-mail address", "NO_USER", permanent=True)
        return Attempt.sent(None)
