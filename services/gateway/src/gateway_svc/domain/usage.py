"""API key usage counted in memory between flushes: per key, how many requests, when last, from where."""

from datetime import datetime

from plenary_contracts.usage import Usage


class UsageTally:
    def __init__(self) -> None:
        self._usages: dict[str, Usage] = {}

    def record(self, key_id: str, at: datetime, ip: str | None) -> None:
        self._add(Usage(key_id, 1, at, ip))

    def drain(self) -> list[Usage]:
        usages, self._usages = list(self._usages.values()), {}
        return usages

    def restore(self, usages: list[Usage]) -> None:
        """Put back a batch that could not be sent, merged with what came meanwhile."""
        for usage in usages:
            self._add(usage)

    def __len__(self) -> int:
        return len(self._usages)

    def _add(self, usage: Usage) -> None:
        known = self._usages.get(usage.key_id)
        self._usages[usage.key_id] = usage if known is None else known.merged(usage)
