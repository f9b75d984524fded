"""Contract routes called straight from the edge, without FastAPI's per-request machinery.

A contract endpoint takes the raw request and validates it itself, so FastAPI's middleware stack,
dependency solving, exit stacks and exception wrapping around it are pure cost on every request. This
layer sits in front of the whole app and tries the router's routes in the router's own order, exactly as
the router would; when the first route that fully matches is a contract route, it calls that endpoint
itself, inside ``edge`` (the layer every response carries). Anything else (the docs, /healthz, a CORS
preflight, a 404 or 405) goes on through the app as before, which applies the edge itself.

Only the routes that can match a path are tried: those whose path starts with the same literal segment
after the prefix, and those that could match any (a parameter first, or no path), in the router's order.
Trying all of them, each a regular expression, cost more than the rest of the choice with 200 routes.
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
        self._indexed = -1  # how many routes the index covers: routes are added after this layer is built
        self._by_segment: dict[str, list[BaseRoute]] = {}
        self._anywhere: list[BaseRoute] = []

    def _candidates(self, path: str) -> list[BaseRoute]:
        if self._indexed != len(self.routes):
            self._index()
        segment = path[len(self.prefix) :].partition("/")[0]
        return self._by_segment.get(segment, self._anywhere)

    def _index(self) -> None:
        keyed: dict[str, list[int]] = {}
        anywhere: list[int] = []
        for order, route in enumerate(self.routes):
            segment = _first_literal(getattr(route, "path", None), self.prefix)
            if segment is None:
                anywhere.append(order)
            elif segment:
                keyed.setdefault(segment, []).append(order)
        self._anywhere = [self.routes[i] for i in anywhere]
        self._by_segment = {s: [self.routes[i] for i in sorted(o + anywhere)] for s, o in keyed.items()}
        self._indexed = len(self.routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(self.prefix):
            for route in self._candidates(scope["path"]):
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


def _first_literal(path: str | None, prefix: str) -> str | None:
    """The literal first segment after ``prefix`` of a route's path; "" for a path outside the prefix (it
    matches none under it); None for a route that may match any path under it."""
    if path is None:
        return None
    if not path.startswith(prefix):  # a mount at "/api" would match under it
        return None if "{" in path or prefix.startswith(path.rstrip("/") + "/") else ""
    segment = path[len(prefix) :].partition("/")[0]
    return None if "{" in segment or not segment else segment
