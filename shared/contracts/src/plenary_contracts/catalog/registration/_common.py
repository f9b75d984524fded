"""What every area of the registration catalog shares: the spec builders, text types, permissions and error sets."""

from typing import Annotated

from pydantic import StringConstraints

from ...errors import ErrorCode
from ...permissions import Permission
from ...specs import Specs, route

SERVICE = "registration"
_SPECS = Specs(SERVICE)
_event, _cmd, _qry = _SPECS.event, _SPECS.command, _SPECS.query
_route = route
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Email = Annotated[str, StringConstraints(strip_whitespace=True, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
_REVIEW = Permission("duplicates", "review")
_NOT_FOUND = (ErrorCode.NOT_FOUND,)
_WRITE_ERRORS = (ErrorCode.NOT_FOUND, ErrorCode.CONFLICT, ErrorCode.VALIDATION_ERROR, ErrorCode.BAD_REQUEST)
_UPDATE_ERRORS = (*_WRITE_ERRORS, ErrorCode.PRECONDITION_FAILED)
_STATE_ERRORS = (ErrorCode.NOT_FOUND, ErrorCode.BAD_REQUEST, ErrorCode.CONFLICT)
