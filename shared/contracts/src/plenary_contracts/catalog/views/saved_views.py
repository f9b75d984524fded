"""views: saved views, a user's own or shared with the tenant: filters, sorts, columns and a layout of a list.

A view belongs to the user who made it; only they change or delete it. Shared views are seen by everyone of
the tenant, private ones by their owner alone (anyone else gets a 404). A user has at most one default view per
entity type. When identity deletes a user, their private views go and their shared ones stay without an owner.
"""

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from ...conditions.shapes import Condition
from ...enums import ViewType
from ...fields import Id, Name
from ...listing import ListQuery, Page
from ...model import Model
from ...row_queries import MAX_SORT_KEYS, FieldName, SortKey, ViewEntity
from ._common import _GATED, _NOT_FOUND, _OWNED, _UPDATE_ERRORS, _WRITE_ERRORS, TAG, _cmd, _qry, _route

MAX_FILTERS = 20
MAX_COLUMNS = 100

Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class ViewColumn(Model):
    field: FieldName
    label: Label
    width: Annotated[int, Field(ge=20, le=2000)] | None = Field(None, description="Pixels; none: the client's.")
    visible: bool = True


class ViewConfig(Model):
    """The list the view shows and its layout's settings. ``eventId`` (participants, progress) or
    ``definitionId`` (custom object records) names the list where the entity needs one. A kanban groups by
    ``groupBy``, a calendar places rows on ``dateField`` (spanning to ``endDateField`` when given), a gallery
    shows ``coverField`` as each card's picture."""

    model_config = {"extra": "forbid"}

    event_id: Id | None = Field(None, description="The event whose participants or progress the view shows.")
    definition_id: Id | None = Field(None, description="The custom object definition whose records it shows.")
    group_by: FieldName | None = Field(None, description="KANBAN: the field whose values are the columns.")
    date_field: FieldName | None = Field(None, description="CALENDAR: the date or datetime field rows sit on.")
    end_date_field: FieldName | None = Field(None, description="CALENDAR: where a row's span ends (optional).")
    cover_field: FieldName | None = Field(None, description="GALLERY: the field holding each card's picture.")
    title_field: FieldName | None = Field(None, description="KANBAN, CALENDAR, GALLERY: the card's title.")


class ViewOwner(Model):
    id: str
    name: str | None = Field(None, description="The user's name (or username) as identity last announced it.")


class SavedView(Model):
    id: str
    tenant_id: str
    user_id: str | None = Field(None, description="Null once the owner was deleted (a shared view stays).")
    owner: ViewOwner | None = None
    name: str
    entity_type: ViewEntity
    view_type: ViewType
    filters: list[Condition] = Field(description="Conditions of the shared language; a row must meet all of them.")
    sorts: list[SortKey]
    columns: list[ViewColumn]
    config: ViewConfig
    is_shared: bool
    is_default: bool
    created_at: datetime
    updated_at: datetime


class CreateSavedView(Model):
    """A new view of the caller's; it is never the default at creation (set ``isDefault`` by an update)."""

    name: Name
    entity_type: ViewEntity
    view_type: ViewType = ViewType.TABLE
    filters: Annotated[list[Condition], Field(max_length=MAX_FILTERS)] = Field(default_factory=list)
    sorts: Annotated[list[SortKey], Field(max_length=MAX_SORT_KEYS)] = Field(default_factory=list)
    columns: Annotated[list[ViewColumn], Field(max_length=MAX_COLUMNS)] = Field(default_factory=list)
    config: ViewConfig = Field(default_factory=ViewConfig)
    is_shared: bool = False


class UpdateSavedView(Model):
    """A partial update of one's own view (If-Match); ``isDefault: true`` makes it the caller's one default
    view of its entity type."""

    id: Id
    name: Name | None = None
    view_type: ViewType | None = None
    filters: Annotated[list[Condition], Field(max_length=MAX_FILTERS)] | None = None
    sorts: Annotated[list[SortKey], Field(max_length=MAX_SORT_KEYS)] | None = None
    columns: Annotated[list[ViewColumn], Field(max_length=MAX_COLUMNS)] | None = None
    config: ViewConfig | None = None
    is_shared: bool | None = None
    is_default: bool | None = None


class SavedViewRef(Model):
    id: Id


class DefaultViewQuery(Model):
    entity_type: ViewEntity


class DefaultView(Model):
    view: SavedView | None = Field(description="The caller's default view of the entity type, or null.")


class ListSavedViews(ListQuery):
    """The caller's own views and the tenant's shared ones; the caller's default first, then by ``sort``."""

    sort: str = Field("name:asc", pattern=r"^(name|createdAt|updatedAt):(asc|desc)$")
    entity_type: ViewEntity | None = None


class SavedViewPage(Page[SavedView]):
    pass


# --- operations ----------------------------------------------------------------------------------

CREATE_VIEW = _cmd(
    "create_view", CreateSavedView, SavedView, "Save a view of a list for the caller (shared or not).",
    errors=_WRITE_ERRORS, http=_route("POST", "/views", "Create a saved view", TAG, 201), **_GATED,
)  # fmt: skip
LIST_VIEWS = _qry(
    "list_views", ListSavedViews, SavedViewPage, "The caller's views and the tenant's shared views.",
    http=_route("GET", "/views", "List saved views", TAG), **_GATED,
)  # fmt: skip
GET_DEFAULT_VIEW = _qry(
    "get_default_view", DefaultViewQuery, DefaultView, "The caller's default view of an entity type, or null.",
    http=_route("GET", "/views/default/{entityType}", "Get the default view", TAG), **_GATED,
)  # fmt: skip
GET_VIEW = _qry(
    "get_view", SavedViewRef, SavedView, "One view (one's own or a shared one) with its owner.",
    errors=_NOT_FOUND, http=_route("GET", "/views/{id}", "Get a saved view", TAG), **_GATED,
)  # fmt: skip
UPDATE_VIEW = _cmd(
    "update_view", UpdateSavedView, SavedView, "Change one's own view (partial; If-Match).",
    errors=_UPDATE_ERRORS, http=_route("PATCH", "/views/{id}", "Update a saved view", TAG), **_GATED,
)  # fmt: skip
DELETE_VIEW = _cmd(
    "delete_view", SavedViewRef, SavedViewRef, "Delete one's own view.",
    errors=_OWNED, http=_route("DELETE", "/views/{id}", "Delete a saved view", TAG, 204), **_GATED,
)  # fmt: skip
DUPLICATE_VIEW = _cmd(
    "duplicate_view", SavedViewRef, SavedView,
    "Copy a view the caller sees as their own private view \"{name} (copy)\" (then \"(copy 2)\", …).",
    errors=_NOT_FOUND, http=_route("POST", "/views/{id}/duplicate", "Duplicate a saved view", TAG, 201), **_GATED,
)  # fmt: skip
