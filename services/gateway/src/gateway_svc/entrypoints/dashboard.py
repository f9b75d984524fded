"""The dashboard page: ``/dashboard``, a page of the platform's own that signs in with the API's credentials and
draws the analytics figures live (``gateway_svc/dashboard``). Its chart library, Plotly, is served from the
installed ``plotly`` package under ``/dashboard/assets``, never from a CDN. The page holds no data: everything
it shows it reads through the API with the signed-in user's token, so the API's checks are the page's checks.
"""

from importlib.resources import files

from fastapi import FastAPI
from starlette.responses import FileResponse, RedirectResponse
from starlette.staticfiles import StaticFiles

DASHBOARD = "/dashboard"
ASSETS = DASHBOARD + "/assets"
PAGE = files("gateway_svc") / "dashboard"
CHARTS = files("plotly") / "package_data" / "plotly.min.js"
NOT_CACHED = {"Cache-Control": "no-cache"}  # the page and its script follow the gateway's version


def serve_dashboard(app: FastAPI) -> None:
    @app.get(ASSETS + "/plotly.min.js", include_in_schema=False)
    async def charts() -> FileResponse:
        return FileResponse(str(CHARTS), media_type="text/javascript", headers={"Cache-Control": "max-age=86400"})

    app.mount(ASSETS, StaticFiles(directory=str(PAGE)), name="dashboard-assets")

    @app.get(DASHBOARD, include_in_schema=False)
    async def no_slash() -> RedirectResponse:
        return RedirectResponse(DASHBOARD + "/")  # the page's relative asset links need the trailing slash

    @app.get(DASHBOARD + "/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(str(PAGE / "index.html"), media_type="text/html", headers=NOT_CACHED)
