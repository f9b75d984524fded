"""Contract routes called straight from the edge, without FastAPI's per-request machinery.

A contract endpoint takes the raw request and validates it itself, so FastAPI's middleware stack,
dependency solving, exit stacks and exception wrapping around it are pure cost on every request. This
layer sits in front of the whole app and tries the router's routes in the router's own order, exactly as
the router would; when the first route that fully matches is a contract route, it calls that endpoint
itself, inside ``edge`` (the layer every response carries). Anything else (the docs, /healthz, a CORS
preflight, a 404 or 405) goes on through the app as before, which applies the edge itself.
"""

from collections.abc import Awaitable, Callable, Mapping

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Receive, Scope, Send

Endpoint = Callable[[Request], Awaitable[Response]]
_MATCHED = "gateway.endpoint"  # the scope key that carries the chosen endpoint through the edge


async def _call_matched(scope: Scope, receive: Receive, send: Send) -> None:
    endpoint: Endpoint = scope.pop(_MATCHED)
    response = await endpoint(Request(scope, receive, send))
    await response(scope, receive, send)


def _bare(app: ASGIApp) -> ASGIApp:
    return app


class DirectRoutes:
    def __init__(
        self,
        app: ASGIApp,
        routes: list[BaseRoute],
        endpoints: Mapping[int, Endpoint],
        prefix: str,
        edge: Callable[[ASGIApp], ASGIApp] = _bare,
    ) -> None:
        """``routes`` is the router's own list (read on every request); ``endpoints`` the contract endpoints
        by the ``id`` of their route; only paths under ``prefix`` are looked at; ``edge`` wraps the call of
        a chosen endpoint (once, here)."""
        self.app = app
        self.routes = routes
        self.endpoints = endpoints
        self.prefix = prefix
        self.call_matched = edge(_call_matched)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(self.prefix):
            for route in self.routes:
                match, child_scope = route.matches(scope)
                if match is Match.FULL:
                    endpoint = self.endpoints.get(id(route))
                    if endpoint is None:
                        break
                    scope.update(child_scope)
                    scope[_MATCHED] = endpoint
                    await self.call_matched(scope, receive, send)
                    return
        await self.app(scope, receive, send)
