"""API key usage between the gateway (which counts) and identity (which stores): one line per key."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Usage:
    key_id: str
    count: int
    last_used_at: datetime
    last_used_ip: str | None

    def merged(self, other: "Usage") -> "Usage":
        """Counts add up; the latest use gives the time and the address."""
        latest = other if other.last_used_at >= self.last_used_at else self
        return Usage(self.key_id, self.count + other.count, latest.last_used_at, latest.last_used_ip)


def merge_usages(usages: Iterable[Usage]) -> list[Usage]:
    merged: dict[str, Usage] = {}
    for usage in usages:
        seen = merged.get(usage.key_id)
        merged[usage.key_id] = usage if seen is None else seen.merged(usage)
    return list(merged.values())
