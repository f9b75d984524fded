"""The dashboard page in a real headless Chromium (Debian's, driven by Playwright): a tenant's administrator
signs in with the API's credentials, the charts show the numbers the API returns, and a new registration moves
them without a reload."""

import json
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from plenary_kit.testing.api import PASSWORD, Api

from .builders import published_event
from .conftest import Tenant

CHROMIUM = "/usr/bin/chromium"
# as root, on a machine with no way out: no sandbox, no GPU, nothing fetched in the background
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FLAGS = ("FF_ANALYTICS_DASHBOARD", "FF_SSE_UPDATES")
WAIT_MS = 30_000  # the longest the page may take to show what the API already says; never a measured duration


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    opened = context.new_page()
    problems: list[str] = []
    opened.on("pageerror", lambda error: problems.append(str(error)))
    yield opened
    context.close()
    assert problems == [], problems  # no script error, whatever the test checked


@pytest.fixture(scope="module")
def dashboard_on(api: Api, tenants: tuple[Tenant, Tenant]) -> None:
    ids = [tenant.id for tenant in tenants]
    for flag in FLAGS:
        api.ok("PATCH", f"/api/v1/feature-flags/{flag}", token=api.admin, json={"enabledForTenants": ids})
    for gateway in range(len(api.gateways)):
        api.until(
            lambda g=gateway: (
                api.request("GET", "/api/v1/analytics/summary", key=tenants[0].key, gateway=g).status_code == 200
            )
        )


def _register(api: Api, tenant: Tenant, event: str, type_id: str, n: int) -> str:
    body = {"participantTypeId": type_id, "firstName": f"Delegate{n}", "lastName": "Dashboard", "email": f"d{n}@x.org"}
    path = f"/api/v1/events/{event}/participants"
    return api.until(
        lambda: (r := api.request("POST", path, key=tenant.key, json=body)).status_code == 201 and r.json()["data"],
        timeout=30,
    )["id"]


def _summary(api: Api, tenant: Tenant, event: str) -> dict[str, Any]:
    return api.ok("GET", "/api/v1/analytics/summary", key=tenant.key, params={"eventId": event})["data"]


def _metric(page: Page, name: str) -> str | None:
    return page.get_attribute(f'[data-metric="{name}"]', "data-value")


def test_the_dashboard_draws_the_api_s_numbers_and_a_new_registration_moves_them_live(
    api: Api, acme: Tenant, dashboard_on: None, page: Page
):
    event, type_id = published_event(api, acme)
    for n in range(2):
        _register(api, acme, event, type_id, n)
    summary = api.until(lambda: (s := _summary(api, acme, event))["total"] == 2 and s, timeout=30)
    funnel = api.ok("GET", "/api/v1/analytics/funnel", key=acme.key, params={"eventId": event})["data"]
    statuses = api.ok("GET", "/api/v1/analytics/status-distribution", key=acme.key, params={"eventId": event})

    page.goto(f"{api.gateways[0]}/dashboard?eventId={event}")
    page.fill('input[name="identifier"]', "acme-admin")
    page.fill('input[name="password"]', PASSWORD)
    page.click('button[type="submit"]')
    page.wait_for_function("Number(document.body.dataset.drawn || 0) >= 1", timeout=WAIT_MS)

    assert page.input_value("#event") == event
    for name in ("total", "approved", "rejected", "pending", "inProgress"):
        assert _metric(page, name) == str(summary[name]), name
    assert json.loads(page.get_attribute("#funnel", "data-counts") or "[]") == [s["count"] for s in funnel["stages"]]
    shown = json.loads(page.get_attribute("#statuses", "data-counts") or "{}")
    assert shown == {s["status"]: s["count"] for s in statuses["data"]["statuses"]}
    for chart in ("funnel", "statuses", "throughput", "occupancy"):
        assert page.locator(f"#{chart} .main-svg").count() >= 1, f"{chart} was not drawn"
    page.wait_for_selector('#live[data-state="on"]', timeout=WAIT_MS)

    page.evaluate("window.sameDocument = true")  # gone if the page reloads
    _register(api, acme, event, type_id, 2)
    page.wait_for_function("document.querySelector('[data-metric=total]').dataset.value === '3'", timeout=WAIT_MS)
    assert page.evaluate("window.sameDocument") is True
    assert _summary(api, acme, event)["total"] == 3


def test_a_wrong_password_is_refused_on_the_page_and_nothing_is_drawn(api: Api, acme: Tenant, page: Page):
    page.goto(f"{api.gateways[0]}/dashboard")
    page.fill('input[name="identifier"]', "acme-admin")
    page.fill('input[name="password"]', "not-the-password")
    page.click('button[type="submit"]')
    page.wait_for_function("document.querySelector('#sign-in-error').textContent !== ''", timeout=WAIT_MS)
    assert page.is_hidden("#board")
    assert page.get_attribute("body", "data-drawn") is None


def test_the_page_and_its_chart_library_are_served_by_the_gateway_itself(api: Api):
    page = api.request("GET", "/dashboard/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "http" not in page.text.replace("http-equiv", "")  # every asset is the gateway's own
    library = api.request("GET", "/dashboard/assets/plotly.min.js")
    assert library.status_code == 200 and len(library.content) > 1_000_000
    assert api.request("GET", "/dashboard/assets/dashboard.js").status_code == 200
    assert api.request("GET", "/dashboard", follow_redirects=False).headers["location"].endswith("/dashboard/")
