"""The public HTTP edge: /healthz, and every contract with an HTTP route mounted under /api/v1, and every
live feed (``plenary_contracts.feeds``) beside them.

The contract routes take the raw request and hand it to the pipeline, which validates it, so every
failure is problem+json; their OpenAPI description comes from the registry (``openapi``). A feed's route
opens an event stream (``feeds``).
"""

import asyncio
import time
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from nats.aio.client import Client
from prometheus_client import Histogram
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from plenary_contracts.errors import HTTP_STATUS, ErrorCode, FieldError, Forbidden, PlenaryError
from plenary_contracts.operations import API_PREFIX, HealthReply, health_subject
from plenary_contracts.registry import FEEDS, OPERATIONS
from plenary_contracts.services import SERVICES
from plenary_kit.json_depth import check_json_depth
from plenary_kit.logging import get_logger
from plenary_kit.service import Runtime

from ..application.exchange import Incoming, failure, problem_response
from ..application.feeds import FeedPlan, Feeds
from ..application.pipeline import Gateway, preflight_headers
from ..application.requests import RoutePlan
from .dashboard import serve_dashboard
from .direct import DirectRoutes, Endpoint
from .docs import serve_docs
from .feeds import feed_endpoint
from .middleware import EdgeMiddleware, too_large
from .openapi import contract_document, webhook_document

log = get_logger(__name__)

HEALTH_TIMEOUT = 1.5
HTTP_SECONDS = Histogram(
    "plenary_gateway_request_seconds",
    "Time the gateway spent on a request to a contract route",
    ["operation", "status"],
)
DESCRIPTION = """Plenary's public REST API. Every operation is a command or query of one service, called over the bus.

Authenticate with an API key (`X-API-Key`) or a user's access token (`Authorization: Bearer …`).
Errors are RFC 9457 problem details (`application/problem+json`) with a stable `code`.
Single results come as `{"data": …}`, lists as `{"data": […], "meta": {page, pageSize, total, totalPages}}`.
"""


async def _ask(nc: Client | None, service: str) -> HealthReply:
    if nc is None or not nc.is_connected:
        return HealthReply(service=service, ready=False, checks={"bus": False})
    try:
        msg = await nc.request(health_subject(service), b"", timeout=HEALTH_TIMEOUT)
        return HealthReply.model_validate_json(msg.data)
    except Exception:
        return HealthReply(service=service, ready=False, checks={"answers": False})


class GatewayApp(FastAPI):
    """The FastAPI app behind ``front``, which answers the contract routes before FastAPI's own stack runs."""

    front: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.front is None:
            await super().__call__(scope, receive, send)
        else:
            scope["app"] = self
            await self.front(scope, receive, send)

    async def behind_front(self, scope: Scope, receive: Receive, send: Send) -> None:
        await super().__call__(scope, receive, send)


def create_app(gateway: Gateway, runtime: Runtime, feeds: Feeds) -> GatewayApp:
    plans = [RoutePlan.of(op) for op in OPERATIONS if op.http is not None]
    feed_plans = [FeedPlan.of(feed) for feed in FEEDS]
    settings = runtime.base_settings
    app = GatewayApp(title="Plenary", version="1.0.0", description=DESCRIPTION, docs_url=None, redoc_url=None)
    app.state.gateway = gateway
    edge_options: dict[str, Any] = dict(
        max_body_bytes=gateway.max_body_bytes,
        max_upload_bytes=gateway.max_upload_bytes,
        upload_routes=[(plan.method, plan.path) for plan in plans if plan.upload is not None],
        body_timeout_seconds=settings.body_timeout_seconds,
        upload_timeout_seconds=settings.upload_timeout_seconds,
    )
    direct: dict[int, Endpoint] = {}  # filled below, as the routes are added
    # Every response carries what the edge adds: a contract route's from the front, any other from the app.
    app.front = DirectRoutes(
        app.behind_front,
        app.router.routes,
        direct,
        prefix=API_PREFIX + "/",
        edge=lambda inner: EdgeMiddleware(inner, **edge_options),
    )
    app.add_middleware(EdgeMiddleware, **edge_options)
    serve_docs(app)
    serve_dashboard(app)

    # Operations, not the public API: kept out of the document (a partial platform answers 503 by design).
    @app.get("/healthz", summary="Readiness of every service", include_in_schema=False)
    async def healthz() -> JSONResponse:
        replies = await asyncio.gather(*(_ask(runtime.nc, name) for name in SERVICES))
        ready = all(r.ready for r in replies)
        body = {
            "status": "ready" if ready else "degraded",
            "services": {r.service: {"ready": r.ready, "checks": r.checks} for r in replies},
        }
        return JSONResponse(body, status_code=200 if ready else 503)

    # Feeds first: a feed's literal path (…/occupancy/stream) must not be taken for a contract route's parameter.
    app.state.feeds = feeds
    app.state.feed_endpoints = {}
    for feed_plan in feed_plans:
        stream = feed_endpoint(feeds, feed_plan)
        app.add_api_route(
            feed_plan.path, stream, methods=["GET"], name=f"feed:{feed_plan.feed.name}", include_in_schema=False
        )
        direct[id(app.router.routes[-1])] = stream
        app.state.feed_endpoints[feed_plan.feed.name] = stream
    for plan in plans:
        endpoint = _endpoint(gateway, plan)
        app.add_api_route(plan.path, endpoint, methods=[plan.method], name=plan.op.name, include_in_schema=False)
        direct[id(app.router.routes[-1])] = endpoint
    app.add_api_route(
        API_PREFIX + "/{rest:path}",
        _preflight(app, gateway),
        methods=["OPTIONS"],
        name=PREFLIGHT,
        include_in_schema=False,
    )
    _handle_errors(app)
    _describe(app, plans, feed_plans)
    return app


def _endpoint(gateway: Gateway, plan: RoutePlan):  # type: ignore[no-untyped-def]
    limit = gateway.max_upload_bytes if plan.upload is not None else gateway.max_body_bytes
    timers: dict[int, Any] = {}  # the histogram's child per status, looked up once

    async def endpoint(request: Request) -> Response:
        started = time.perf_counter()
        incoming = Incoming(
            method=request.method,
            path_of=lambda: request.url.path,
            path_params={k: str(v) for k, v in request.path_params.items()},
            query=request.query_params.multi_items() if request.scope.get("query_string") else [],
            headers=_headers(request.scope["headers"]),
            peer=request.client.host if request.client else None,
            correlation_id=request.state.correlation_id,
            read_body=lambda: _read_body(request, limit, plan.takes_json_body),
        )
        out = await gateway.handle(plan, incoming)
        elapsed = time.perf_counter() - started
        timer = timers.get(out.status)
        if timer is None:
            timer = timers[out.status] = HTTP_SECONDS.labels(plan.op.name, str(out.status))
        timer.observe(elapsed)
        if out.status >= 500:
            log.warning("request failed", operation=plan.op.subject, status=out.status, seconds=round(elapsed, 3))
        return Response(out.body, status_code=out.status, headers=out.headers, media_type=out.media_type)

    endpoint.__name__ = plan.op.name
    return endpoint


def _headers(raw: list[tuple[bytes, bytes]]) -> dict[str, str]:
    """The request's headers by lower-case name, read once; of a repeated header the first, as Starlette's
    ``Headers.get`` gives it."""
    return {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in reversed(raw)}


async def _read_body(request: Request, limit: int, json_body: bool) -> bytes:
    """The body, up to ``limit`` bytes; a JSON body nesting past ``MAX_JSON_DEPTH`` is refused unparsed."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        chunks.append(chunk)
    body = b"".join(chunks)
    if json_body:
        check_json_depth(body, loc=["body"])
    return body


PREFLIGHT = "cors_preflight"


def _allowed_methods(app: FastAPI, scope: dict[str, Any]) -> list[str]:
    """Every method a route serves at this path (for ``Allow``); none when no route has this path."""
    methods: set[str] = set()
    for route in app.router.routes:
        if getattr(route, "name", None) == PREFLIGHT:
            continue
        match, _ = route.matches({**scope, "method": "__probe__"})
        if match is not Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    if methods and str(scope.get("path", "")).startswith(API_PREFIX + "/"):
        methods.add("OPTIONS")
    return sorted(methods)


def _preflight(app: FastAPI, gateway: Gateway):  # type: ignore[no-untyped-def]
    async def preflight(request: Request) -> Response:
        methods = [m for m in _allowed_methods(app, request.scope) if m not in ("OPTIONS", "HEAD")]
        if not methods:
            raise StarletteHTTPException(404)
        origin = request.headers.get("origin")
        wanted = request.headers.get("access-control-request-method")
        if origin is None or wanted is None:
            return Response(status_code=204, headers={"Allow": ", ".join([*methods, "OPTIONS"])})
        if wanted.upper() not in methods or not gateway.keys.origin_allowed_anywhere(origin, datetime.now(UTC)):
            error = Forbidden("this origin may not call the API")
            out = problem_response(error, request.url.path, request.state.correlation_id)
            return Response(out.body, status_code=out.status, media_type=out.media_type)
        return Response(status_code=204, headers=preflight_headers(origin, ", ".join(methods)))

    return preflight


def _problem(request: Request, error: PlenaryError, headers: dict[str, str] | None = None) -> Response:
    correlation_id = getattr(request.state, "correlation_id", None)
    out = problem_response(error, request.url.path, correlation_id, headers)
    return Response(out.body, status_code=out.status, headers=out.headers, media_type=out.media_type)


_BY_STATUS = {status: code for code, status in reversed(HTTP_STATUS.items())}


def _handle_errors(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return _problem(request, failure(ErrorCode.NOT_FOUND, f"no route for {request.url.path}"))
        allowed = _allowed_methods(app, request.scope) if exc.status_code == 405 else []
        if exc.status_code == 405 and not allowed:  # only the preflight route knows this path
            return _problem(request, failure(ErrorCode.NOT_FOUND, f"no route for {request.url.path}"))
        if exc.status_code == 405:
            allow = ", ".join(allowed)
            error = failure(ErrorCode.METHOD_NOT_ALLOWED, f"{request.method} is not allowed here")
            return _problem(request, error, {"Allow": allow})
        code = _BY_STATUS.get(exc.status_code, ErrorCode.INTERNAL_ERROR)
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        return _problem(request, failure(code, detail), dict(exc.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [FieldError(loc=list(e["loc"]), msg=e["msg"], type=e["type"]) for e in exc.errors()]
        return _problem(request, failure(ErrorCode.VALIDATION_ERROR, "request failed validation", errors=errors))


def _describe(app: FastAPI, plans: list[RoutePlan], feed_plans: list[FeedPlan]) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            paths, components = contract_document(plans, feed_plans)
            document["paths"] = {**document.get("paths", {}), **paths}
            merged = document.setdefault("components", {})
            for section, values in components.items():
                merged.setdefault(section, {}).update(values)
            document["webhooks"] = webhook_document(merged.setdefault("schemas", {}))
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
