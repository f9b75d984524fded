"""The live /openapi.json, fuzzed by schemathesis: no server error, no response outside the document.

Runs last in this package (it changes flags and creates rows at random): test modules that need flags
left alone sort before it."""

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from plenary_kit.testing.api import Api

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_the_document_is_openapi_3_1_with_both_security_schemes_and_every_contract_route(api: Api):
    from plenary_contracts.registry import OPERATIONS

    document = api.ok("GET", "/openapi.json")
    assert document["openapi"].startswith("3.1")
    assert {"ApiKeyAuth", "BearerAuth"} <= set(document["components"]["securitySchemes"])
    routed = {(op.http.method.lower(), "/api/v1" + op.http.path) for op in OPERATIONS if op.http}
    documented = {(m, p) for p, item in document["paths"].items() for m in item if m != "parameters"}
    assert routed <= documented
    login = document["paths"]["/api/v1/auth/login"]["post"]
    assert login["security"] == [] and "application/problem+json" in login["responses"]["401"]["content"]
    assert api.request("GET", "/docs").status_code == 200


def test_every_documented_operation_answers_within_its_document(api: Api):
    # Driven by hand rather than by schemathesis' pytest plugin, whose lazy loader breaks on pytest 9.
    schema = schemathesis.openapi.from_url(f"{api.gateways[0]}/openapi.json")
    headers = {"Authorization": f"Bearer {api.admin}"}
    failures: dict[str, str] = {}
    # /healthz answers 503 by design while services are missing (only identity runs here)
    operations = [op for op in (r.ok() for r in schema.get_all_operations()) if op.path.startswith("/api/v1/")]
    assert len(operations) >= 25

    for operation in operations:

        @settings(max_examples=12, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def fuzz(case) -> None:  # type: ignore[no-untyped-def]
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            fuzz()
        except Exception as error:  # collect every operation's failure, then report them all
            failures[operation.label] = str(error)[:2000]
    assert not failures, "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())
