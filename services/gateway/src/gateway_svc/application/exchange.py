"""One HTTP request and its response as the pipeline sees them, free of any web framework."""

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from plenary_contracts.errors import HTTP_STATUS, ErrorCode, PlenaryError, problem_type

from ..domain.problems import PROBLEM_JSON, problem

JSON = "application/json"


@dataclass
class Incoming:
    method: str
    path_of: Callable[[], str]  # the URL's path, worked out only when a response needs it
    path_params: dict[str, str]
    query: list[tuple[str, str]]
    headers: Mapping[str, str]  # names lower-case or looked up case-insensitively
    peer: str | None
    correlation_id: str
    read_body: Callable[[], Awaitable[bytes]]

    @cached_property
    def path(self) -> str:
        return self.path_of()

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class Outgoing:
    status: int
    body: bytes = b""
    media_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


def failure(code: ErrorCode, message: str, **kwargs: Any) -> PlenaryError:
    """A typed error for the codes that have no class of their own (RATE_LIMITED, PAYLOAD_TOO_LARGE, ...)."""
    error = PlenaryError(message, **kwargs)
    error.code = code
    return error


def dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def problem_body(error: PlenaryError, instance: str, correlation_id: str | None) -> bytes:
    return dumps(
        problem(
            type_uri=problem_type(error.code),
            code=error.code.value,
            status=HTTP_STATUS[error.code],
            detail=error.message,
            instance=instance,
            correlation_id=correlation_id,
            errors=[e.model_dump(mode="json") for e in error.errors],
            details=error.details,
        )
    )


def problem_response(
    error: PlenaryError, instance: str, correlation_id: str | None, headers: dict[str, str] | None = None
) -> Outgoing:
    return Outgoing(
        HTTP_STATUS[error.code], problem_body(error, instance, correlation_id), PROBLEM_JSON, dict(headers or {})
    )


class BodyTooSlow(Exception):
    """The client did not send its whole body in the time allowed.

    Deliberately not a ``TimeoutError``: that is an ``OSError``, which the pipeline answers as its shared
    state being unreachable (503)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the request body did not arrive within {seconds:g} s")
        self.seconds = seconds


def request_timeout_body(error: BodyTooSlow, instance: str, correlation_id: str | None) -> bytes:
    return problem_body(failure(ErrorCode.REQUEST_TIMEOUT, str(error)), instance, correlation_id)
