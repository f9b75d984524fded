"""CPU time and peak memory of server processes, read from /proc (Linux)."""

import os
from pathlib import Path

PROC = Path("/proc")


def stat_cpu_ticks(stat_line: str) -> int:
    """utime + stime from one /proc/<pid>/stat line (the command name may hold spaces and parentheses)."""
    fields = stat_line[stat_line.rindex(")") + 2 :].split()
    return int(fields[11]) + int(fields[12])  # fields 14 and 15 of proc(5), counted from the state (3)


def stat_parent(stat_line: str) -> int:
    return int(stat_line[stat_line.rindex(")") + 2 :].split()[1])


def _stat(pid: int) -> str | None:
    try:
        return (PROC / str(pid) / "stat").read_text()
    except OSError:  # gone
        return None


def family(pids: list[int]) -> list[int]:
    """``pids`` and every process descending from them."""
    parents: dict[int, int] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit() and (line := _stat(int(entry.name))) is not None:
            parents[int(entry.name)] = stat_parent(line)
    found, frontier = set(pids), list(pids)
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in found:
                found.add(child)
                frontier.append(child)
    return sorted(found)


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU time consumed so far by ``pids`` (all their threads)."""
    ticks = sum(stat_cpu_ticks(line) for pid in pids if (line := _stat(pid)) is not None)
    return ticks / os.sysconf("SC_CLK_TCK")


def peak_rss_mib(pid: int) -> float:
    """The process's high-water resident memory (VmHWM), NaN when it cannot be read."""
    try:
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")
