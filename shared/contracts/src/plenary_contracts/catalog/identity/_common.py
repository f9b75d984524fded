"""What every area of the identity catalog shares: the spec builders, permissions and error sets."""

from typing import Annotated

from pydantic import StringConstraints

from ...errors import ErrorCode
from ...specs import Specs

SERVICE = "identity"
_SPECS = Specs(SERVICE)
_event, _cmd, _qry = _SPECS.event, _SPECS.command, _SPECS.query

Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
]
_NF = (ErrorCode.NOT_FOUND,)
_NF_VALID = (ErrorCode.NOT_FOUND, ErrorCode.VALIDATION_ERROR)
_PRECONDITION = (ErrorCode.NOT_FOUND, ErrorCode.VALIDATION_ERROR, ErrorCode.PRECONDITION_FAILED)
