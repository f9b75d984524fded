"""The local SMTP server `plenary dev` starts: every e-mail the services send is kept as an ``.eml`` file, so a
user reads what was sent instead of it reaching anyone. Nothing is relayed."""

import socket
import time
from dataclasses import dataclass, field
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from typing import Any

SINK_HOST = "127.0.0.1"


def free_port(host: str = SINK_HOST) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@dataclass
class EmlWriter:
    """aiosmtpd's handler: each accepted message becomes ``<time>-<n>.eml`` in ``directory``."""

    directory: Path
    written: int = field(default=0)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.written += 1
        subject = message_from_bytes(envelope.content, policy=default).get("Subject", "")
        slug = "".join(c if c.isalnum() else "-" for c in str(subject))[:40].strip("-") or "message"
        name = f"{time.strftime('%Y%m%d-%H%M%S')}-{self.written:05d}-{slug}.eml"
        (self.directory / name).write_bytes(envelope.original_content or envelope.content)
        return "250 OK: kept"


class MailSink:
    """Started and stopped by `plenary dev`; ``env`` points the services at it."""

    def __init__(self, directory: Path, port: int | None = None) -> None:
        from aiosmtpd.controller import Controller

        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.port = port or free_port()
        self.handler = EmlWriter(directory)
        self._controller = Controller(self.handler, hostname=SINK_HOST, port=self.port)

    @property
    def env(self) -> dict[str, str]:
        return {"PLENARY_SMTP_HOST": SINK_HOST, "PLENARY_SMTP_PORT": str(self.port), "PLENARY_SMTP_STARTTLS": "false"}

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()
