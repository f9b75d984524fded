"""What every area of the custom-objects catalog shares: the spec builders, the permission and flag every
operation needs, and the error sets."""

from typing import Annotated

from pydantic import StringConstraints

from ...errors import ErrorCode
from ...flags import FlagKey
from ...permissions import Permission
from ...specs import Specs, route

SERVICE = "custom-objects"
_SPECS = Specs(SERVICE)
_event, _cmd, _qry = _SPECS.event, _SPECS.command, _SPECS.query
_route = route
_TAG = "custom-objects"
Text = Annotated[str, StringConstraints(max_length=2000)]
DefinitionKey = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
"""A definition named by its id or by its slug (both fit this shape; an id is tried first)."""

_MANAGING = {"permission": Permission("custom-objects", "manage"), "flag": FlagKey.CUSTOM_OBJECTS}
_NOT_FOUND = (ErrorCode.NOT_FOUND,)
_WRITE_ERRORS = (ErrorCode.NOT_FOUND, ErrorCode.CONFLICT, ErrorCode.VALIDATION_ERROR, ErrorCode.BAD_REQUEST)
_UPDATE_ERRORS = (*_WRITE_ERRORS, ErrorCode.PRECONDITION_FAILED)
