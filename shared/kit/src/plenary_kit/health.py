"""Each process's small HTTP face: liveness, readiness, Prometheus metrics and its view of the flags."""

from collections.abc import Awaitable, Callable

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .flags import FlagClient


def health_app(service: str, readiness: Callable[[], Awaitable[dict[str, bool]]], flags: FlagClient) -> Starlette:
    async def healthz(request: Request) -> Response:
        return JSONResponse({"service": service, "status": "ok"})

    async def readyz(request: Request) -> Response:
        checks = await readiness()
        ready = all(checks.values())
        return JSONResponse({"service": service, "ready": ready, "checks": checks}, status_code=200 if ready else 503)

    async def metrics(request: Request) -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    async def flag_view(request: Request) -> Response:
        return JSONResponse({key: state.model_dump(mode="json") for key, state in flags.snapshot().items()})

    return Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics),
            Route("/flags", flag_view),
        ]
    )
