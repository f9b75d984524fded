"""A stored webhook payload about an erased participant, redacted: its shape stays (a receiver still parses it,
and the delivery can still be sent or re-sent), every id, status, time, number and flag stays, and every other
text (names, addresses, remarks, a custom record's values) becomes null.

Kept texts are named by their key, at any depth (a list's items go by the list's key): ids (``id``, ``...Id``,
``...Ids``), times (``...At``), and the few enumerations and configuration names the public catalog carries.
Redacting twice gives the same payload, so an erasure repeated finds nothing left to change.
"""

from typing import Any

# Texts that describe the event or the platform's configuration, never the person.
KEPT_TEXTS = frozenset(
    {
        "status",
        "previousStatus",
        "action",
        "type",
        "kind",
        "scanType",
        "result",
        "reason",
        "movement",
        "band",
        "registrationCode",  # a pseudonymous reference, as an id is
        "stepName",
        "forkStepName",
        "objectSlug",
        "at",
    }
)


def keeps_text(key: str | None) -> bool:
    if key is None:
        return False
    return key == "id" or key.endswith(("Id", "Ids", "At")) or key in KEPT_TEXTS


def redact(value: Any, key: str | None = None) -> Any:
    if isinstance(value, dict):
        return {k: redact(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(item, key) for item in value]
    if isinstance(value, str):
        return value if keeps_text(key) else None
    return value  # numbers, flags, null
