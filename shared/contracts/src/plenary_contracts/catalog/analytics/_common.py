"""What every area of the analytics catalog shares: the spec builders, the permission and flag, error sets."""

from datetime import date

from pydantic import Field, model_validator

from ...errors import ErrorCode
from ...fields import Id
from ...flags import FlagKey
from ...model import Model
from ...permissions import Permission
from ...specs import Specs, route

SERVICE = "analytics"
_SPECS = Specs(SERVICE)
_event, _cmd, _qry = _SPECS.event, _SPECS.command, _SPECS.query
_route = route
TAG = "analytics"
# Every dashboard operation is behind the flag and the one permission analytics has.
_VIEWING = {"permission": Permission("analytics", "view"), "flag": FlagKey.ANALYTICS_DASHBOARD}
_READ_ERRORS = (ErrorCode.NOT_FOUND, ErrorCode.VALIDATION_ERROR)
_WRITE_ERRORS = (ErrorCode.NOT_FOUND, ErrorCode.VALIDATION_ERROR)


class AnalyticsFilter(Model):
    """Which participants a figure counts: one event, one participant type, registered (or acted on) within
    the dates, both ends included (UTC days)."""

    event_id: Id | None = None
    participant_type_id: Id | None = None
    date_from: date | None = Field(None, alias="from")
    date_to: date | None = Field(None, alias="to")

    @model_validator(mode="after")
    def _ordered(self) -> "AnalyticsFilter":
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("`from` is after `to`")
        return self
