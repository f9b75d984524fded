"""Saved views' rules: who may change a view, the names copies take, and what each layout needs."""

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from plenary_contracts.conditions import Problem
from plenary_contracts.enums import ViewType

COPY = "(copy)"
NAME_LIMIT = 200
EDITION_LABEL = 80


@dataclass(frozen=True)
class Layout:
    """A view's layout settings, as the domain reads them."""

    view_type: ViewType
    group_by: str | None = None
    date_field: str | None = None
    end_date_field: str | None = None
    cover_field: str | None = None
    title_field: str | None = None

    def fields(self) -> dict[str, str | None]:
        """The fields the layout names, by the setting (wire name) that names them."""
        return {
            "groupBy": self.group_by,
            "dateField": self.date_field,
            "endDateField": self.end_date_field,
            "coverField": self.cover_field,
            "titleField": self.title_field,
        }


# The setting each layout cannot do without, and where its 422 points.
_REQUIRED: dict[ViewType, str] = {
    ViewType.KANBAN: "groupBy",
    ViewType.CALENDAR: "dateField",
    ViewType.GALLERY: "coverField",
}


def owns(owner_id: str | None, actor_id: str) -> bool:
    """Only a view's owner changes or deletes it; a view whose owner was deleted belongs to nobody."""
    return owner_id is not None and owner_id == actor_id


def visible(owner_id: str | None, is_shared: bool, actor_id: str) -> bool:
    """One's own views and the tenant's shared ones."""
    return is_shared or owns(owner_id, actor_id)


def layout_problems(layout: Layout) -> list[Problem]:
    """A kanban needs the field it groups by, a calendar its date field, a gallery its cover field."""
    required = _REQUIRED.get(layout.view_type)
    if required is not None and not layout.fields()[required]:
        return [(("config", required), f"a {layout.view_type.value} view needs {required}")]
    return []


def copy_name(name: str, taken: Collection[str]) -> str:
    """The name of a copy of ``name`` that none of ``taken`` has: "{name} (copy)", then "(copy 2)", "(copy 3)"…

    The base is shortened when a long name and its suffix would pass the name's length limit."""
    counter = 1
    while True:
        suffix = COPY if counter == 1 else f"(copy {counter})"
        candidate = f"{name[: NAME_LIMIT - len(suffix) - 1].rstrip()} {suffix}"
        if candidate not in taken:
            return candidate
        counter += 1


def edition_name(name: str, event_name: str, taken: Collection[str]) -> str:
    """The name of a view copied into a cloned event (an owner's names are unique per entity type, and the copy
    sits beside its source): "{name} ({event name})", then "({event name} 2)", "({event name} 3)"… The event's
    name is shortened to 80 characters, then the view's name to the name's length limit."""
    label = event_name[:EDITION_LABEL].rstrip()
    counter = 1
    while True:
        suffix = f"({label})" if counter == 1 else f"({label} {counter})"
        candidate = f"{name[: NAME_LIMIT - len(suffix) - 1].rstrip()} {suffix}"
        if candidate not in taken:
            return candidate
        counter += 1


def orphan_name(name: str, taken: Iterable[str]) -> str:
    """The name a shared view keeps when its owner is deleted: ownerless views share one namespace per entity
    type, so a name another ownerless view holds gets the copy counter."""
    held = set(taken)
    return name if name not in held else copy_name(name, held)
