"""What every area of the delegation catalog shares: the spec builders, the permission, the flag, error sets."""

from ...errors import ErrorCode
from ...flags import FlagKey
from ...permissions import Permission
from ...specs import Specs, route

SERVICE = "delegation"
_SPECS = Specs(SERVICE)
_event, _cmd, _qry = _SPECS.event, _SPECS.command, _SPECS.query
_route = route
TAG = "delegation"
_MANAGE = Permission("delegation", "manage")
# Quotas and invites are the organisers': the portal's flag gates them, one permission covers them.
_PORTAL = {"permission": _MANAGE, "flag": FlagKey.DELEGATION_PORTAL}
_NOT_FOUND = (ErrorCode.NOT_FOUND,)
_WRITE_ERRORS = (ErrorCode.NOT_FOUND, ErrorCode.BAD_REQUEST, ErrorCode.VALIDATION_ERROR)
_STATE_ERRORS = (ErrorCode.NOT_FOUND, ErrorCode.BAD_REQUEST)
