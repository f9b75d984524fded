from gateway_svc.application.feeds import FeedPlan
from gateway_svc.application.requests import RoutePlan
from gateway_svc.domain.uploads import XLSX
from gateway_svc.entrypoints.openapi import contract_document

from plenary_contracts.catalog import identity as contract
from plenary_contracts.catalog import registration
from plenary_contracts.catalog.checkin import OCCUPANCY_FEED
from plenary_contracts.feeds import CLOSED_EVENT
from plenary_contracts.registry import FEEDS, OPERATIONS

PLANS = [RoutePlan.of(op) for op in OPERATIONS if op.http is not None]
FEED_PLANS = [FeedPlan.of(feed) for feed in FEEDS]
PATHS, COMPONENTS = contract_document(PLANS, FEED_PLANS)


def _operation(op):  # type: ignore[no-untyped-def]
    return PATHS["/api/v1" + op.http.path][op.http.method.lower()]


def test_every_contract_with_a_route_is_documented():
    documented = {(method, path) for path, item in PATHS.items() for method in item}
    routed = {(op.http.method.lower(), "/api/v1" + op.http.path) for op in OPERATIONS if op.http}
    assert documented == routed | {("get", "/api/v1" + feed.path) for feed in FEEDS}


def test_security_follows_public_global_and_ordinary_operations():
    assert _operation(contract.LOGIN)["security"] == []
    assert _operation(contract.LIST_TENANTS)["security"] == [{"BearerAuth": []}]
    assert _operation(contract.LIST_USERS)["security"] == [{"ApiKeyAuth": []}, {"BearerAuth": []}]
    assert set(COMPONENTS["securitySchemes"]) == {"ApiKeyAuth", "BearerAuth", "AccessTokenQuery"}
    assert COMPONENTS["securitySchemes"]["AccessTokenQuery"] | {"description": ""} == {
        "type": "apiKey",
        "in": "query",
        "name": "access_token",
        "description": "",
    }


def test_a_feed_is_an_event_stream_with_its_events_resume_parameters_and_token_in_the_query():
    feed = PATHS["/api/v1/events/{eventId}/occupancy/stream"]["get"]
    assert feed["security"] == [{"ApiKeyAuth": []}, {"BearerAuth": []}, {"AccessTokenQuery": []}]
    assert feed["responses"]["200"]["content"] == {"text/event-stream": {"schema": {"type": "string"}}}
    assert {"400", "401", "403", "404", "422", "429", "503"} <= set(feed["responses"])
    assert "application/problem+json" in feed["responses"]["503"]["content"]
    assert feed["x-sse-events"]["occupancy:updated"]["schema"] == {"$ref": "#/components/schemas/ZoneOccupancy"}
    assert feed["x-sse-events"][CLOSED_EVENT]["schema"] == {"$ref": "#/components/schemas/Problem"}
    assert set(COMPONENTS["schemas"]["ZoneOccupancy"]["properties"]) == {
        "eventId", "zoneId", "currentCount", "maxCapacity", "band", "lastUpdated",
    }  # fmt: skip
    names = {(p["in"], p["name"]) for p in feed["parameters"]}
    assert names == {
        ("path", "eventId"), ("header", "Last-Event-ID"), ("query", "lastEventId"), ("query", "tenantId"),
        ("header", "X-Tenant-Id"),
    }  # fmt: skip
    assert (feed["x-permission"], feed["x-feature-flag"]) == ("check-in:scan", "FF_SSE_UPDATES")
    assert feed["x-jetstream"] == {"stream": "EVT_CHECKIN", "subjects": OCCUPANCY_FEED.subjects}


def test_single_results_are_enveloped_lists_are_not_and_204_has_no_body():
    single = _operation(contract.GET_USER)["responses"]["200"]["content"]["application/json"]["schema"]
    assert single == {
        "type": "object",
        "properties": {"data": {"$ref": "#/components/schemas/User"}},
        "required": ["data"],
    }
    listed = _operation(contract.LIST_USERS)["responses"]["200"]["content"]["application/json"]["schema"]
    assert listed == {"$ref": "#/components/schemas/UserPageSparse"}
    assert COMPONENTS["schemas"]["UserSparse"]["required"] == ["id"]
    assert "content" not in _operation(contract.DELETE_USER)["responses"]["204"]


def test_every_error_is_problem_json_and_the_declared_and_gateway_errors_are_all_there():
    update = _operation(contract.UPDATE_USER)["responses"]
    assert {"400", "401", "403", "404", "409", "412", "413", "422", "429", "500", "503", "504"} <= set(update)
    assert update["412"]["content"]["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}
    assert "Retry-After" in update["429"]["headers"] and "WWW-Authenticate" in update["401"]["headers"]
    assert "412" not in _operation(contract.LOGIN)["responses"]
    assert "304" in _operation(contract.GET_USER)["responses"]


def test_parameters_come_from_path_query_and_headers_and_bodies_drop_path_fields():
    names = {(p["in"], p["name"]) for p in _operation(contract.LIST_USERS)["parameters"]}
    assert {("query", "pageSize"), ("query", "sort"), ("query", "fields"), ("header", "X-Tenant-Id")} <= names
    status = next(p for p in _operation(contract.LIST_USERS)["parameters"] if p["name"] == "status")
    assert "anyOf" not in status["schema"] and status["required"] is False
    assign = _operation(contract.ASSIGN_ROLE)
    assert [p["name"] for p in assign["parameters"] if p["in"] == "path"] == ["userId"]
    body = COMPONENTS["schemas"]["AssignRoleBody"]
    assert "userId" not in body["properties"] and body["required"] == ["role"]
    assert assign["requestBody"]["required"] is True
    assert _operation(contract.REVOKE_API_KEY)["requestBody"]["required"] is False


def test_rate_limit_and_etag_headers_are_documented():
    headers = _operation(contract.GET_USER)["responses"]["200"]["headers"]
    assert {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "RateLimit", "RateLimit-Policy"} <= set(
        headers
    )
    assert "ETag" in headers and "X-Correlation-Id" in headers
    assert COMPONENTS["headers"]["Retry-After"]["schema"] == {"type": "integer"}


def test_an_upload_takes_the_file_raw_or_as_a_form_with_its_name_in_the_query():
    upload = _operation(registration.CREATE_IMPORT)
    content = upload["requestBody"]["content"]
    assert set(content) == {"application/octet-stream", "text/csv", XLSX, "multipart/form-data"}
    assert content["multipart/form-data"]["schema"]["properties"]["file"] == {"type": "string", "format": "binary"}
    assert upload["requestBody"]["required"] is True
    query = {p["name"] for p in upload["parameters"] if p["in"] == "query"}
    assert {"fileName", "description"} <= query and "file" not in query
    assert "413" in upload["responses"] and "201" in upload["responses"]


def test_a_download_answers_the_file_as_binary_with_its_name_and_version():
    download = _operation(registration.DOWNLOAD_BULK_FILE)
    ok = download["responses"]["200"]
    assert ok["content"]["application/octet-stream"]["schema"] == {"type": "string", "format": "binary"}
    assert "*/*" in ok["content"] and "application/json" not in ok["content"]
    assert {"Content-Disposition", "ETag"} <= set(ok["headers"])
    assert "304" in download["responses"]
    assert "If-None-Match" in {p["name"] for p in download["parameters"]}
