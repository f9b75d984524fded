"""`plenary routes`: every HTTP route with its subject, permission, flag and the handler that serves it.

The registry says what each route is; the handler is found by running each owning service's wiring
against a stand-in runtime that records ``serve(operation, handler)`` and opens nothing (no database,
no NATS), so the listing is what the service would really subscribe.

The live feeds (``plenary_contracts.feeds``) follow the operations: the gateway serves them itself, so
their handler is the endpoint the gateway's wiring mounts, and their subject the events they carry.
"""

import functools
import inspect
import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any, cast

from plenary_contracts.feeds import FeedSpec
from plenary_contracts.operations import API_PREFIX, OperationSpec
from plenary_contracts.registry import FEEDS, OPERATIONS
from plenary_contracts.services import SERVICES
from plenary_kit.discovery import load_services
from plenary_kit.flags import FlagClient
from plenary_kit.personal_keys import PersonKeys
from plenary_kit.service import Runtime, ServiceSpec
from plenary_kit.settings import Settings

UNSERVED = "-"


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    subject: str
    permission: str
    flag: str
    handler: str  # "module:qualified.name", or UNSERVED when no handler is wired for the subject
    service: str
    kind: str = "operation"  # or "feed": a live event stream the gateway serves

    @property
    def module(self) -> str:
        return self.handler.partition(":")[0]


class RecordingRuntime:
    """Just enough of ``Runtime`` for a service's ``wire``: it notes what is served and starts nothing."""

    def __init__(self, spec: ServiceSpec, settings: Settings) -> None:
        self.spec = spec
        self.base_settings = settings
        self.settings = settings.service(spec.name)
        self.engine: Any = None
        self.sessions: Any = None
        self.nc: Any = None
        self.relay_hook: Any = None
        self.relay_hook_types: Any = None
        self.flags = FlagClient()
        self.person_keys = PersonKeys(settings.personal_data_secret)
        self.consumers: dict[str, Any] = {}
        self.served: dict[str, Callable[..., Any]] = {}

    def serve(self, operation: OperationSpec, handler: Callable[..., Any]) -> None:
        self.served[operation.subject] = handler

    def consume(self, *args: Any, **kwargs: Any) -> None:
        pass

    def consume_each(self, *args: Any, **kwargs: Any) -> None:
        pass

    def consume_stream(self, *args: Any, **kwargs: Any) -> None:
        pass

    def every(self, *args: Any, **kwargs: Any) -> None:
        pass

    def on_start(self, *args: Any, **kwargs: Any) -> None:
        pass

    def on_stop(self, *args: Any, **kwargs: Any) -> None:
        pass

    def on_drain(self, *args: Any, **kwargs: Any) -> None:
        pass

    def uow(self) -> Any:
        raise RuntimeError("a service's wiring opened a unit of work; listing routes has no database")

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(f"the route listing's stand-in runtime has no {name!r}; add it to {__name__}")


def handler_name(handler: Callable[..., Any]) -> str:
    """``module:qualname`` of what really runs: through decorators, partials and bound methods."""
    target: Any = inspect.unwrap(handler)
    while isinstance(target, functools.partial):
        target = inspect.unwrap(target.func)
    target = getattr(target, "__func__", target)
    if not hasattr(target, "__qualname__"):  # a callable object
        target = type(target)
    return f"{target.__module__}:{target.__qualname__}"


def served_handlers(services: Iterable[str], settings: Settings | None = None) -> dict[str, str]:
    """Subject -> handler name, for every operation the named services serve."""
    settings = settings or Settings()
    found: dict[str, str] = {}
    for spec in load_services(list(services)):
        runtime = RecordingRuntime(spec, settings)
        spec.wire(cast(Runtime, runtime))
        found |= {subject: handler_name(handler) for subject, handler in runtime.served.items()}
    return found


FEED_SERVICE = "gateway"


def feed_handlers(settings: Settings | None = None) -> dict[str, str]:
    """Feed name -> handler name, for every feed the gateway's wiring mounts."""
    (spec,) = load_services([FEED_SERVICE])
    runtime = RecordingRuntime(spec, settings or Settings())
    spec.wire(cast(Runtime, runtime))
    app = runtime.__dict__.get("public_app")
    endpoints = getattr(getattr(app, "state", None), "feed_endpoints", None) or {}
    return {name: handler_name(endpoint) for name, endpoint in endpoints.items()}


def _feed_route(feed: FeedSpec, handlers: dict[str, str]) -> Route:
    return Route(
        method="GET",
        path=API_PREFIX + feed.path,
        subject=",".join(each.event.subject for each in feed.events),
        permission=feed.permission.code if feed.permission else "own",
        flag=feed.flag.value if feed.flag else "-",
        handler=handlers.get(feed.name, UNSERVED),
        service=FEED_SERVICE,
        kind="feed",
    )


def _permission(op: OperationSpec) -> str:
    if op.public:
        return "public"
    granted = op.permission.code if op.permission else "none"
    return f"global-admin {granted}" if op.global_only else granted


def routes(service: str | None = None, settings: Settings | None = None) -> list[Route]:
    """Every HTTP route of the registry (of one service when named), in registry order, then every live feed
    (the gateway's)."""
    if service is not None and service not in SERVICES:
        raise KeyError(f"unknown service {service!r}; known: {', '.join(SERVICES)}")
    operations = [op for op in OPERATIONS if op.http is not None and service in (None, op.service)]
    owners = [name for name in SERVICES if any(op.service == name for op in operations)]
    handlers = served_handlers(owners, settings)
    feeds = FEEDS if service in (None, FEED_SERVICE) else []
    feed_handler_names = feed_handlers(settings) if feeds else {}
    listed_feeds = [_feed_route(feed, feed_handler_names) for feed in feeds]
    return [
        Route(
            method=op.http.method,
            path=API_PREFIX + op.http.path,
            subject=op.subject,
            permission=_permission(op),
            flag=op.flag.value if op.flag else "-",
            handler=handlers.get(op.subject, UNSERVED),
            service=op.service,
        )
        for op in operations
        if op.http is not None
    ] + listed_feeds


def render_table(found: list[Route]) -> list[str]:
    rows = [("METHOD", "PATH", "SUBJECT", "PERMISSION", "FLAG", "HANDLER")]
    rows += [(r.method, r.path, r.subject, r.permission, r.flag, r.handler) for r in found]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return ["  ".join([*(cell.ljust(w) for cell, w in zip(row, widths, strict=False)), row[-1]]) for row in rows]


def render_json(found: list[Route]) -> str:
    return json.dumps([{**asdict(r), "module": r.module} for r in found], indent=2)
