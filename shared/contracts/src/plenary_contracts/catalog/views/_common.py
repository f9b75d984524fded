"""What every area of the views catalog shares: the spec builders, the permission and flag, error sets."""

from ...errors import ErrorCode
from ...flags import FlagKey
from ...permissions import Permission
from ...specs import Specs, route

SERVICE = "views"
_SPECS = Specs(SERVICE)
_event, _cmd, _qry = _SPECS.event, _SPECS.command, _SPECS.query
_route = route
TAG = "views"
# Every saved-view operation is behind the flag and the one permission views have.
_GATED = {"permission": Permission("views", "create"), "flag": FlagKey.SAVED_VIEWS}
_NOT_FOUND = (ErrorCode.NOT_FOUND,)
_OWNED = (ErrorCode.NOT_FOUND, ErrorCode.FORBIDDEN)  # another's private view is not found, a shared one forbidden
_WRITE_ERRORS = (ErrorCode.NOT_FOUND, ErrorCode.CONFLICT, ErrorCode.VALIDATION_ERROR, ErrorCode.FORBIDDEN)
_UPDATE_ERRORS = (*_WRITE_ERRORS, ErrorCode.PRECONDITION_FAILED)
