"""`make run` as a user runs it: in a terminal, on embedded servers, every service a real process, driven
from outside, then stopped with Ctrl-C. Its ports are not the defaults, as for a second checkout."""

import asyncio
import json
import os
import urllib.request

import pytest

from plenary_contracts.catalog import identity as contract
from plenary_contracts.services import SERVICES
from plenary_kit.bus.connection import connect
from plenary_kit.bus.rpc import call
from plenary_kit.embedded import port_is_free
from plenary_kit.testing.plugin import eventually

from .conftest import CTRL_C

pytestmark = pytest.mark.timeout(400)  # the first test also waits for the platform to come up


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_every_service_runs_as_a_process_and_reports_ready_through_the_gateway(platform):
    status, body = _get(f"{platform.gateway}/healthz")
    assert status == 200, body
    assert set(body["services"]) == set(SERVICES)
    assert all(s["ready"] and s["checks"]["database"] and s["checks"]["nats"] for s in body["services"].values())
    for index, name in enumerate(SERVICES):
        status, own = _get(f"http://127.0.0.1:{platform.ports['health_port_base'] + index}/readyz")
        assert (status, own["service"], own["ready"]) == (200, name, True)


def test_a_flag_change_reaches_a_running_service_process(platform):
    views_flags = f"http://127.0.0.1:{platform.ports['health_port_base'] + SERVICES.index('views')}/flags"
    assert _get(views_flags)[1]["FF_SAVED_VIEWS"]["enabledForTenants"] == []

    async def change() -> None:
        nc = await connect(platform.nats_url, "e2e")
        try:
            request = contract.SetFeatureFlag(key="FF_SAVED_VIEWS", enabled_for_tenants=["tenant-e2e"])
            await call(nc, contract.SET_FEATURE_FLAG, request)
            await eventually(
                lambda: _get(views_flags)[1]["FF_SAVED_VIEWS"]["enabledForTenants"] == ["tenant-e2e"],
                timeout=10,
            )
        finally:
            await nc.drain()

    asyncio.run(change())


def test_ctrl_c_in_the_terminal_stops_every_process_and_make_exits_0_even_when_pressed_twice(platform):
    os.write(platform.terminal, CTRL_C)
    platform.wait_for("stopping", 30)
    os.write(platform.terminal, CTRL_C)  # an impatient second Ctrl-C must not cut the stop short
    assert platform.make.wait(90) == 0, platform.output()
    platform.copier.join(10)
    output = platform.output()
    assert "stopped." in output
    assert "make: ***" not in output and "Traceback" not in output
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{platform.gateway}/healthz", timeout=2)
    assert port_is_free(platform.ports["pg_port"]) and port_is_free(platform.ports["nats_port"])
