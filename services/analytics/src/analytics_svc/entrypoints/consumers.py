"""The analytics durables: one per producer stream, each handing every event its filter brings to the
projector (a type the projections ignore adds nothing), and the tenant purge."""

from typing import Any

from plenary_contracts.catalog import identity
from plenary_contracts.envelope import CloudEvent
from plenary_contracts.events import EventSpec
from plenary_contracts.registry import EVENTS
from plenary_contracts.streams import ConsumerSpec, consumer
from plenary_kit.db import UnitOfWork
from plenary_kit.service import Runtime

from ..application.cleanup import tenant_deleted
from ..application.projector import Projector
from ..application.rebuild import replayed_consumers


def subject_matches(filter_subject: str, subject: str) -> bool:
    """NATS subject matching: ``*`` is one token, a final ``>`` one or more."""
    wanted, tokens = filter_subject.split("."), subject.split(".")
    for i, token in enumerate(wanted):
        if token == ">":
            return len(tokens) > i
        if i >= len(tokens) or (token != "*" and token != tokens[i]):
            return False
    return len(tokens) == len(wanted)


def events_of(spec: ConsumerSpec) -> list[EventSpec]:
    """Every event type the durable's filter brings (one missing would be dead-lettered)."""
    return [event for event in EVENTS if subject_matches(spec.filter_subject, event.subject)]


def register(runtime: Runtime, projector: Projector) -> None:
    for spec in replayed_consumers():
        if spec.durable == "analytics_tenant_cleanup":
            continue
        runtime.consume(spec, events_of(spec), projector.handle)
    runtime.consume_each(consumer("analytics_tenant_cleanup"), {identity.TENANT_DELETED: _on_tenant_deleted})


async def _on_tenant_deleted(uow: UnitOfWork, event: CloudEvent, payload: Any) -> None:
    await tenant_deleted(uow, payload.tenant_id)
