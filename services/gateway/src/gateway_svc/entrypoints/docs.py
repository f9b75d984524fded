"""The interactive views of the API document: ``/docs`` (Swagger UI) and ``/redoc`` (ReDoc).

Their scripts, styles and icon are served by the gateway itself under ``/docs/assets``, never from a
CDN, so the pages work offline and behind a firewall. The files come from the fastapi-offline package
(Swagger UI 5, which reads OpenAPI 3.1).
"""

from importlib.resources import files

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

SWAGGER_UI = "/docs"
OAUTH2_REDIRECT = SWAGGER_UI + "/oauth2-redirect"
REDOC = "/redoc"
ASSETS = SWAGGER_UI + "/assets"
SWAGGER_JS, SWAGGER_CSS, REDOC_JS, FAVICON = (
    "swagger-ui-bundle.js",
    "swagger-ui.css",
    "redoc.standalone.js",
    "favicon.png",
)


def serve_docs(app: FastAPI) -> None:
    app.mount(ASSETS, StaticFiles(directory=str(files("fastapi_offline") / "static")), name="docs-assets")

    def at(request: Request, path: str) -> str:
        return request.scope.get("root_path", "").rstrip("/") + path

    @app.get(SWAGGER_UI, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=at(request, str(app.openapi_url)),
            title=f"{app.title} API",
            swagger_js_url=at(request, f"{ASSETS}/{SWAGGER_JS}"),
            swagger_css_url=at(request, f"{ASSETS}/{SWAGGER_CSS}"),
            swagger_favicon_url=at(request, f"{ASSETS}/{FAVICON}"),
            oauth2_redirect_url=at(request, OAUTH2_REDIRECT),
            swagger_ui_parameters={"validatorUrl": None},  # no badge fetched from the public validator
        )

    @app.get(OAUTH2_REDIRECT, include_in_schema=False)
    async def oauth2_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get(REDOC, include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        return get_redoc_html(
            openapi_url=at(request, str(app.openapi_url)),
            title=f"{app.title} API",
            redoc_js_url=at(request, f"{ASSETS}/{REDOC_JS}"),
            redoc_favicon_url=at(request, f"{ASSETS}/{FAVICON}"),
            with_google_fonts=False,
        )
