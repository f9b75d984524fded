"""Contract endpoints are called straight from the edge only when the router would have chosen them."""

from gateway_svc.entrypoints.direct import DirectRoutes
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send


async def _unused(request: Request) -> Response:
    raise AssertionError("the router's own endpoint is never called here")


class Recorder:
    def __init__(self) -> None:
        self.passed_on: list[str] = []
        self.sent: list[dict] = []

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.passed_on.append(scope["path"])

    async def send(self, message: dict) -> None:
        self.sent.append(message)


def _direct(recorder: Recorder) -> DirectRoutes:
    other = Route("/api/v1/users/export", _unused, methods=["GET"])  # not a contract route, listed first
    me = Route("/api/v1/users/{user_id}", _unused, methods=["GET"])
    created = Route("/api/v1/users", _unused, methods=["POST"])

    async def show(request: Request) -> Response:
        return PlainTextResponse(f"user {request.path_params['user_id']}")

    async def create(request: Request) -> Response:
        return PlainTextResponse("created", status_code=201)

    routes = [other, me, created]
    return DirectRoutes(recorder.app, routes, {id(me): show, id(created): create}, prefix="/api/v1/")


async def _call(direct: DirectRoutes, recorder: Recorder, method: str, path: str) -> None:
    scope = {"type": "http", "method": method, "path": path, "root_path": "", "headers": [], "query_string": b""}

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    await direct(scope, receive, recorder.send)


async def test_a_contract_route_is_answered_by_its_endpoint_with_its_path_parameters():
    recorder = Recorder()
    await _call(_direct(recorder), recorder, "GET", "/api/v1/users/u1")
    assert recorder.passed_on == []
    assert recorder.sent[0]["status"] == 200 and recorder.sent[1]["body"] == b"user u1"


async def test_an_earlier_route_that_matches_keeps_the_request_for_the_router():
    recorder = Recorder()
    await _call(_direct(recorder), recorder, "GET", "/api/v1/users/export")
    assert recorder.passed_on == ["/api/v1/users/export"] and recorder.sent == []


async def test_a_path_served_only_for_another_method_is_left_to_the_router():
    recorder = Recorder()
    await _call(_direct(recorder), recorder, "DELETE", "/api/v1/users/u1")
    await _call(_direct(recorder), recorder, "GET", "/api/v1/users")
    assert recorder.passed_on == ["/api/v1/users/u1", "/api/v1/users"] and recorder.sent == []


async def test_paths_outside_the_api_are_left_to_the_router():
    recorder = Recorder()
    await _call(_direct(recorder), recorder, "GET", "/healthz")
    assert recorder.passed_on == ["/healthz"]


def _edged(recorder: Recorder, wrapped: list[str]) -> DirectRoutes:
    base = _direct(recorder)

    def edge(inner):  # type: ignore[no-untyped-def]
        async def around(scope: Scope, receive: Receive, send: Send) -> None:
            wrapped.append(scope["path"])
            await inner(scope, receive, send)

        return around

    return DirectRoutes(base.app, base.routes, base.endpoints, prefix=base.prefix, edge=edge)


async def test_a_chosen_endpoint_runs_inside_the_edge_and_a_request_left_to_the_router_does_not():
    recorder, wrapped = Recorder(), []
    direct = _edged(recorder, wrapped)
    await _call(direct, recorder, "GET", "/api/v1/users/u1")
    await _call(direct, recorder, "GET", "/healthz")
    assert wrapped == ["/api/v1/users/u1"]
    assert recorder.passed_on == ["/healthz"] and recorder.sent[1]["body"] == b"user u1"


async def test_a_route_with_a_parameter_first_is_still_tried_in_the_routers_order():
    recorder = Recorder()
    anything = Route("/api/v1/{kind}/things", _unused, methods=["GET"])  # not a contract route, listed first
    things = Route("/api/v1/users/things", _unused, methods=["GET"])

    async def listed(request: Request) -> Response:
        return PlainTextResponse("things")

    direct = DirectRoutes(recorder.app, [anything, things], {id(things): listed}, prefix="/api/v1/")
    await _call(direct, recorder, "GET", "/api/v1/users/things")
    assert recorder.passed_on == ["/api/v1/users/things"] and recorder.sent == []


async def test_a_route_added_after_the_first_request_is_found():
    recorder = Recorder()
    direct = _direct(recorder)
    await _call(direct, recorder, "GET", "/api/v1/teams/t1")
    assert recorder.passed_on == ["/api/v1/teams/t1"]

    async def team(request: Request) -> Response:
        return PlainTextResponse(f"team {request.path_params['team_id']}")

    added = Route("/api/v1/teams/{team_id}", _unused, methods=["GET"])
    direct.routes.append(added)
    direct.endpoints[id(added)] = team  # type: ignore[index]
    await _call(direct, recorder, "GET", "/api/v1/teams/t1")
    assert recorder.sent[1]["body"] == b"team t1"
