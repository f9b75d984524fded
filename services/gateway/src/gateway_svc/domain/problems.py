"""RFC 9457 problem details, as the gateway sends them."""

from http import HTTPStatus
from typing import Any

PROBLEM_JSON = "application/problem+json"


def title_of(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem(
    *,
    type_uri: str,
    code: str,
    status: int,
    detail: str,
    instance: str,
    correlation_id: str | None,
    errors: list[dict[str, Any]] | None = None,
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": type_uri,
        "title": title_of(status),
        "status": status,
        "detail": detail,
        "instance": instance,
        "code": code,
        "correlationId": correlation_id,
    }
    if errors:
        body["errors"] = errors
    if details:
        body["details"] = details
    return body
