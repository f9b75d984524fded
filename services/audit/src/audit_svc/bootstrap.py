"""audit's composition root."""

from pathlib import Path

from plenary_kit.service import Runtime, ServiceSpec

from .adapters.handlers_client import HandlersClient
from .adapters.stream_reader import StreamReader
from .adapters.tables import messaging, metadata
from .adapters.webhooks_client import WebhooksClient
from .application.log import AuditLog
from .entrypoints import indexer, queries


def wire(runtime: Runtime) -> None:
    settings = runtime.base_settings
    deadline = settings.audit_trace_deadline_seconds
    log = AuditLog(StreamReader(runtime), HandlersClient(runtime, deadline), WebhooksClient(runtime, deadline))
    queries.register(runtime, log)
    indexer.register(runtime, settings.audit_index_batch_size)


SERVICE = ServiceSpec(
    name="audit",
    metadata=metadata,
    messaging=messaging,
    migrations_dir=Path(__file__).resolve().parents[2] / "migrations",
    wire=wire,
)
