"""Personal data inside events, and how it stays erasable in logs that are never rewritten.

The streams keep every event for their retention, and auditors replay them: an erased person's name must
not come back from there. Events that carry personal data keep it **sealed with a key of that person**
(crypto-shredding): erasure destroys the key, and every copy of those events, in the streams, in outbox
rows, in dead letters, becomes unreadable at once, while ids, statuses and times stay for the counts.
Removing personal data from events altogether was the other choice; it would make every consumer that
shows a name (the check-in desk offline, reviewers' notifications, webhooks) call registration per event.

An event declares, in wire (camelCase) names, where its payload names the person (``person``) and which
of its values are personal (``fields``). A sealed value is replaced on the wire by
``{"$sealed": "<base64>", "$erased": <what it reads as once the key is gone>}``: the empty value of its JSON
type ("" for text, {} for an object, [] for a list, null otherwise), so a payload still validates after
erasure. A value that is null or absent is left as it is.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

SEALED = "$sealed"
ERASED = "$erased"


@dataclass(frozen=True)
class Personal:
    person: str  # dotted path to the person's id in the payload, e.g. "participant.id"
    fields: tuple[str, ...]  # dotted paths to personal values, e.g. "participant.firstName"

    def person_of(self, data: dict[str, Any]) -> str | None:
        value = _get(data, self.person.split("."))
        return value if isinstance(value, str) and value else None

    def values(self, data: dict[str, Any]) -> Iterator[tuple[dict[str, Any], str]]:
        """The (parent object, key) of every personal value present and not null."""
        for path in self.fields:
            *parents, key = path.split(".")
            parent = _get(data, parents)
            if isinstance(parent, dict) and parent.get(key) is not None:
                yield parent, key


def erased_value(value: Any) -> Any:
    if isinstance(value, str):
        return ""
    if isinstance(value, dict):
        return {}
    if isinstance(value, list):
        return []
    return None


def is_sealed(value: Any) -> bool:
    return isinstance(value, dict) and SEALED in value


def _get(data: Any, path: list[str]) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data
