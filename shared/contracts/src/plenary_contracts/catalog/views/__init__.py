"""views: saved views of lists (participants, events, workflow progress, custom object records), and running
them on the owners of those lists.

``EVENTS`` / ``OPERATIONS`` keep the order the registry and the schema snapshot read."""

from ...events import EventSpec
from ._common import SERVICE
from .execution import (
    KANBAN_MOVES,
    MOVE_CARD,
    RUN_VIEW,
    CardMoved,
    Cursor,
    MoveCard,
    RunView,
    ViewRows,
)
from .saved_views import (
    CREATE_VIEW,
    DELETE_VIEW,
    DUPLICATE_VIEW,
    GET_DEFAULT_VIEW,
    GET_VIEW,
    LIST_VIEWS,
    MAX_COLUMNS,
    MAX_FILTERS,
    UPDATE_VIEW,
    CreateSavedView,
    DefaultView,
    DefaultViewQuery,
    Label,
    ListSavedViews,
    SavedView,
    SavedViewPage,
    SavedViewRef,
    UpdateSavedView,
    ViewColumn,
    ViewConfig,
    ViewOwner,
)

EVENTS: list[EventSpec] = []

OPERATIONS = [
    CREATE_VIEW,
    LIST_VIEWS,
    GET_DEFAULT_VIEW,
    GET_VIEW,
    UPDATE_VIEW,
    DELETE_VIEW,
    DUPLICATE_VIEW,
    RUN_VIEW,
    MOVE_CARD,
]

__all__ = [
    "CREATE_VIEW",
    "DELETE_VIEW",
    "DUPLICATE_VIEW",
    "EVENTS",
    "GET_DEFAULT_VIEW",
    "GET_VIEW",
    "KANBAN_MOVES",
    "LIST_VIEWS",
    "MAX_COLUMNS",
    "MAX_FILTERS",
    "MOVE_CARD",
    "OPERATIONS",
    "RUN_VIEW",
    "SERVICE",
    "UPDATE_VIEW",
    "CardMoved",
    "CreateSavedView",
    "Cursor",
    "DefaultView",
    "DefaultViewQuery",
    "Label",
    "ListSavedViews",
    "MoveCard",
    "RunView",
    "SavedView",
    "SavedViewPage",
    "SavedViewRef",
    "UpdateSavedView",
    "ViewColumn",
    "ViewConfig",
    "ViewOwner",
    "ViewRows",
]
