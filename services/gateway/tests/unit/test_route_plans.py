import pytest
from gateway_svc.application.requests import RoutePlan

from plenary_contracts.catalog import identity as contract
from plenary_contracts.catalog import registration
from plenary_contracts.errors import BadRequest, ValidationFailed


def _errors(call) -> list[list]:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as failed:
        call()
    return [e.loc for e in failed.value.errors]


def test_a_list_takes_its_fields_from_the_query_as_json_types():
    plan = RoutePlan.of(contract.LIST_USERS)
    request = plan.validate({}, [("page", "2"), ("pageSize", "5"), ("status", "ACTIVE"), ("other", "x")], {})
    assert (request.page, request.page_size, request.status) == (2, 5, "ACTIVE")


def test_query_errors_are_located_in_the_query():
    plan = RoutePlan.of(contract.LIST_USERS)
    assert _errors(lambda: plan.validate({}, [("pageSize", "0"), ("page", "one")], {})) == [
        ["query", "page"],
        ["query", "pageSize"],
    ]


def test_a_body_is_validated_strictly_and_the_path_wins_over_it():
    plan = RoutePlan.of(contract.ROTATE_API_KEY)
    request = plan.validate({"id": "k1"}, [], {"id": "other", "graceHours": 3})
    assert (request.id, request.grace_hours) == ("k1", 3)
    assert _errors(lambda: plan.validate({"id": "k1"}, [], {"graceHours": "3"})) == [["body", "graceHours"]]
    assert _errors(lambda: plan.validate({"id": "not ok"}, [], {})) == [["path", "id"]]


def test_a_body_must_be_a_json_object():
    plan = RoutePlan.of(contract.CREATE_USER)
    assert _errors(lambda: plan.validate({}, [], [1, 2])) == [["body"]]
    assert plan.parse_body(b"") == {}
    with pytest.raises(BadRequest):
        plan.parse_body(b" ")
    with pytest.raises(BadRequest):
        plan.parse_body(b"{nope")


def test_text_with_nul_is_refused_before_any_service_sees_it():
    plan = RoutePlan.of(contract.LIST_USERS)
    assert _errors(lambda: plan.validate({}, [("search", "a\x00b")], {})) == [["query", "search"]]


def test_lists_go_out_as_they_are_and_single_results_wrapped():
    assert RoutePlan.of(contract.LIST_USERS).reply_is_list
    assert RoutePlan.of(contract.LIST_FEATURE_FLAGS).reply_is_list
    assert not RoutePlan.of(contract.GET_USER).reply_is_list
    assert RoutePlan.of(contract.UNASSIGN_ROLE).path == "/api/v1/users/{userId}/roles/{assignmentId}"


STORED = {"key": "tenant1/uploads/" + "0" * 32 + "/a.csv", "fileName": "a.csv", "contentType": "text/csv", "size": 3}


def test_an_upload_route_takes_the_stored_file_and_its_other_fields_from_the_query():
    plan = RoutePlan.of(registration.CREATE_IMPORT)
    assert (plan.upload, plan.takes_json_body) == ("file", False)
    assert "description" in plan.query_params and "file" not in plan.query_params
    request = plan.validate({"eventId": "e1"}, [("description", "March"), ("fileName", "a.csv")], None, STORED)
    assert (request.event_id, request.description, request.file.key) == ("e1", "March", STORED["key"])
    assert _errors(lambda: plan.validate({"eventId": "e1"}, [("description", "")], None, STORED)) == [
        ["query", "description"]
    ]
    assert _errors(lambda: plan.validate({"eventId": "e1"}, [], None, None)) == [["body", "file"]]


def test_only_download_routes_are_downloads():
    assert RoutePlan.of(registration.DOWNLOAD_BULK_FILE).download
    assert not RoutePlan.of(registration.GET_BULK_OPERATION).download
    assert RoutePlan.of(contract.CREATE_USER).takes_json_body
