"""events: series of events and their editions, managed under the cloning permission and flag."""

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from ...errors import ErrorCode
from ...fields import Id, Name
from ...flags import FlagKey
from ...listing import ListQuery, Page
from ...model import Model
from ...permissions import Permission
from ._common import _NOT_FOUND, _UPDATE_ERRORS, _WRITE_ERRORS, Text, _cmd, _event, _qry, _route


class Edition(Model):
    id: str
    series_id: str
    event_id: str
    edition_number: int
    year: int
    host_country: str | None = None
    host_city: str | None = None
    notes: str | None = None
    created_at: datetime
    updated_at: datetime


class Series(Model):
    id: str
    tenant_id: str
    name: str
    description: str | None = None
    edition_count: int = 0
    editions: list[Edition] | None = Field(None, description="By edition number; only when reading one series.")
    created_at: datetime
    updated_at: datetime


class CreateSeries(Model):
    name: Name
    description: Text | None = None


class UpdateSeries(Model):
    id: Id
    name: Name | None = None
    description: Text | None = None


class SeriesRef(Model):
    id: Id


class ListSeries(ListQuery):
    pass


class SeriesPage(Page[Series]):
    pass


EditionNumber = Annotated[int, Field(ge=1, le=10_000)]
Year = Annotated[int, Field(ge=1900, le=2100)]
Place = Annotated[str, StringConstraints(max_length=200)]


class AddEdition(Model):
    series_id: Id
    event_id: Id
    edition_number: EditionNumber
    year: Year
    host_country: Place | None = None
    host_city: Place | None = None
    notes: Text | None = None


class UpdateEdition(Model):
    series_id: Id
    id: Id
    edition_number: EditionNumber | None = None
    year: Year | None = None
    host_country: Place | None = None
    host_city: Place | None = None
    notes: Text | None = None


class EditionRef(Model):
    series_id: Id
    id: Id


class SeriesChanged(Model):
    series: Series


class EditionChanged(Model):
    edition: Edition


# --- domain events -------------------------------------------------------------------------------

SERIES_CREATED = _event("series", "created", SeriesChanged, "An event series was created.")
SERIES_UPDATED = _event("series", "updated", SeriesChanged, "An event series changed.")
SERIES_DELETED = _event("series", "deleted", SeriesChanged, "An event series was deleted.")
EDITION_ADDED = _event("edition", "added", EditionChanged, "An event became an edition of a series.")
EDITION_UPDATED = _event("edition", "updated", EditionChanged, "An edition changed.")
EDITION_REMOVED = _event("edition", "removed", EditionChanged, "An event left its series.")
# series belong to cloning: its permission and its flag
_SERIES = {"permission": Permission("event-clone", "execute"), "flag": FlagKey.EVENT_CLONE}


# --- operations ----------------------------------------------------------------------------------

CREATE_SERIES = _cmd(
    "create_series", CreateSeries, Series, "Create an event series (name unique per tenant).",
    errors=_WRITE_ERRORS, **_SERIES, http=_route("POST", "/event-series", "Create a series", "series", 201),
)  # fmt: skip
LIST_SERIES = _qry(
    "list_series", ListSeries, SeriesPage, "The tenant's series with their edition counts.",
    **_SERIES, http=_route("GET", "/event-series", "List series", "series"),
)  # fmt: skip
GET_SERIES = _qry(
    "get_series", SeriesRef, Series, "A series with its editions.",
    errors=_NOT_FOUND, **_SERIES, http=_route("GET", "/event-series/{id}", "Get a series", "series"),
)  # fmt: skip
UPDATE_SERIES = _cmd(
    "update_series", UpdateSeries, Series, "Rename or describe a series (If-Match).",
    errors=_UPDATE_ERRORS, **_SERIES,
    http=_route("PATCH", "/event-series/{id}", "Update a series", "series"),
)  # fmt: skip
DELETE_SERIES = _cmd(
    "delete_series", SeriesRef, SeriesRef, "Delete a series; refused (400) while it has editions.",
    errors=(ErrorCode.NOT_FOUND, ErrorCode.BAD_REQUEST), **_SERIES,
    http=_route("DELETE", "/event-series/{id}", "Delete a series", "series", 204),
)  # fmt: skip
ADD_EDITION = _cmd(
    "add_edition", AddEdition, Edition, "Make an event an edition of a series (one series per event).",
    errors=_WRITE_ERRORS, **_SERIES,
    http=_route("POST", "/event-series/{seriesId}/editions", "Add an edition", "series", 201),
)  # fmt: skip
UPDATE_EDITION = _cmd(
    "update_edition", UpdateEdition, Edition, "Change an edition's number, year or place (If-Match).",
    errors=_UPDATE_ERRORS, **_SERIES,
    http=_route("PATCH", "/event-series/{seriesId}/editions/{id}", "Update an edition", "series"),
)  # fmt: skip
REMOVE_EDITION = _cmd(
    "remove_edition", EditionRef, EditionRef, "Take an event out of its series.",
    errors=_NOT_FOUND, **_SERIES,
    http=_route("DELETE", "/event-series/{seriesId}/editions/{id}", "Remove an edition", "series", 204),
)  # fmt: skip
