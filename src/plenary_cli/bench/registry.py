"""The bench's areas. Adding one is a module in this package with ``measure(bench) -> Iterable[Figure]`` and
one entry below; ``limits`` lists the raw figures its ratios use (measured first when ``limits`` itself is
not selected)."""

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import raw

if TYPE_CHECKING:
    from .context import Bench
    from .report import Figure


@dataclass(frozen=True)
class Area:
    name: str
    summary: str
    limits: tuple[str, ...] = ()
    programs: tuple[str, ...] = ()  # executables it drives, checked before anything starts

    def measure(self) -> Callable[["Bench"], Iterable["Figure"]]:
        return importlib.import_module(f"{__package__}.{self.name}").measure  # type: ignore[no-any-return]


AREAS: tuple[Area, ...] = (
    Area("limits", "raw limits of this machine: JetStream publish, core NATS request/reply, PostgreSQL writes"),
    Area(
        "pipeline",
        "commit → outbox relay → JetStream → durable consumer with inbox",
        limits=(raw.JS_PIPELINED, raw.PG_COMMITS_8),
    ),
    Area(
        "rpc",
        "request/reply with a database read, identity as its own process",
        limits=(raw.CORE_P50, raw.CORE_P99, raw.CORE_CONCURRENT),
    ),
    Area(
        "gateway",
        "authenticated GET through the gateway to identity, driven by wrk",
        limits=(raw.CORE_CONCURRENT,),
        programs=("wrk",),
    ),
    Area(
        "workflow",
        "engine APPROVE over the bus, workflow as its own process; condition evaluation",
        limits=(raw.CORE_P50, raw.PG_COMMITS_8),
    ),
    Area(
        "registration",
        "fairness, import and screening; registration and workflow as their own processes",
        limits=(raw.CORE_P99, raw.PG_COMMITS_8, raw.PG_COPY),
    ),
    Area(
        "checkin",
        "badges verified offline in one process; scans through the gateway from 32 scanners, driven by wrk",
        programs=("wrk",),
    ),
    Area(
        "webhooks",
        "bus event → signed delivery to a local receiver's 2xx, webhooks as its own process; head of line; replay",
    ),
    Area("comms", "a 10,000-recipient e-mail broadcast to a local SMTP server, comms as its own process"),
    Area("views", "saved views over 1,000,000 participants through the gateway: pages, deep pages, kanban"),
    Area("analytics", "projection lag at 1,000 events/s, dashboard of a 100,000-participant event, rebuild by replay"),
    Area("audit", "the auditor's log: 100 tenants' events indexed, then one tenant's day read from the streams"),
    Area("sagas", "an event of 1,000 elements cloned across five services as processes, end to end through the bus"),
)
BY_NAME = {area.name: area for area in AREAS}


class UnknownArea(ValueError):
    pass


def select(names: Iterable[str]) -> list[Area]:
    """The named areas in the registry's order (each once); all of them when none is named."""
    wanted = list(names)
    unknown = [name for name in wanted if name not in BY_NAME]
    if unknown:
        raise UnknownArea(f"unknown bench area {', '.join(map(repr, unknown))}; areas: {', '.join(BY_NAME)}")
    return [area for area in AREAS if not wanted or area.name in wanted]


def limits_needed(areas: Iterable[Area]) -> set[str]:
    """Raw figures the selected areas compare with; none when ``limits`` runs anyway (it measures them all)."""
    chosen = list(areas)
    if any(area.name == "limits" for area in chosen):
        return set()
    return {name for area in chosen for name in area.limits}
