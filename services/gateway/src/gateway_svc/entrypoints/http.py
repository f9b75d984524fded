"""The public HTTP edge. For now: /healthz, the readiness of every service by name, asked over the bus."""

import asyncio

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from nats.aio.client import Client

from plenary_contracts.operations import HealthReply, health_subject
from plenary_contracts.services import SERVICES
from plenary_kit.service import Runtime

HEALTH_TIMEOUT = 1.5


async def _ask(nc: Client | None, service: str) -> HealthReply:
    if nc is None or not nc.is_connected:
        return HealthReply(service=service, ready=False, checks={"bus": False})
    try:
        msg = await nc.request(health_subject(service), b"", timeout=HEALTH_TIMEOUT)
        return HealthReply.model_validate_json(msg.data)
    except Exception:
        return HealthReply(service=service, ready=False, checks={"answers": False})


def create_app(runtime: Runtime) -> FastAPI:
    app = FastAPI(title="Plenary", version="0.1.0")

    @app.get("/healthz", tags=["operations"], summary="Readiness of every service")
    async def healthz() -> JSONResponse:
        replies = await asyncio.gather(*(_ask(runtime.nc, name) for name in SERVICES))
        ready = all(r.ready for r in replies)
        body = {
            "status": "ready" if ready else "degraded",
            "services": {r.service: {"ready": r.ready, "checks": r.checks} for r in replies},
        }
        return JSONResponse(body, status_code=200 if ready else 503)

    return app
