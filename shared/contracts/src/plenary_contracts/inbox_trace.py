"""Who handled an event: every running service answers on one core-NATS subject with its inbox rows for an
event id (one process per service answers: the services' queue groups), and a caller gathers the answers
that come within a short deadline. The delivery trace of the audit log is built on it."""

from datetime import datetime
from uuid import UUID

from .model import Model

INBOX_TRACE_SUBJECT = "sys.inbox.trace"


class InboxTraceRequest(Model):
    event_id: UUID


class HandledBy(Model):
    service: str
    consumer: str
    event_type: str
    received_at: datetime


class InboxTraceReply(Model):
    service: str
    handled: list[HandledBy]
