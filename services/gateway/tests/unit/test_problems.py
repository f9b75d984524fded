from gateway_svc.domain.problems import problem, title_of


def test_a_problem_carries_type_title_status_and_the_correlation_id():
    body = problem(
        type_uri="urn:plenary:problem:NOT_FOUND",
        code="NOT_FOUND",
        status=404,
        detail="no such user",
        instance="/api/v1/users/u1",
        correlation_id="c-1",
    )
    assert body == {
        "type": "urn:plenary:problem:NOT_FOUND",
        "title": "Not Found",
        "status": 404,
        "detail": "no such user",
        "instance": "/api/v1/users/u1",
        "code": "NOT_FOUND",
        "correlationId": "c-1",
    }


def test_field_errors_and_details_appear_only_when_there_are_some():
    body = problem(
        type_uri="t", code="VALIDATION_ERROR", status=422, detail="d", instance="/", correlation_id=None,
        errors=[{"loc": ["body", "name"], "msg": "m", "type": "missing"}], details={"x": 1},
    )  # fmt: skip
    assert body["errors"][0]["loc"] == ["body", "name"] and body["details"] == {"x": 1}
    assert "errors" not in problem(type_uri="t", code="C", status=400, detail="d", instance="/", correlation_id=None)


def test_an_unknown_status_still_has_a_title():
    assert title_of(299) == "Error"
    assert title_of(429) == "Too Many Requests"
