"""`plenary bench [AREA…]`: the platform's figures on this machine, on servers the bench starts itself, each
printed beside its goal and its ratio to the raw limit it rides on. Prints figures; asserts nothing.

When ``limits`` is not selected, the raw figures the selected areas compare with are measured first anyway
(a few seconds), so every ratio is of this run on this machine."""

import os
import shutil
import sys
import traceback
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Protocol, TextIO

from . import limits, raw
from .context import bench_servers, own_nats
from .registry import Area, limits_needed, select
from .report import Figure, summary, to_json, to_text
from .sizes import Sizes

SUMMARY_LIMITS = {raw.JS_PIPELINED, raw.JS_ACKED_EACH, raw.PG_COMMITS_1, raw.PG_COMMITS_8}


class Output(Protocol):
    def area(self, name: str, summary: str) -> None: ...
    def figure(self, figure: Figure, limits: Mapping[str, float]) -> None: ...
    def summary(self, figures: list[Figure], limits: Mapping[str, float], failed: list[str]) -> None: ...


class TextOutput:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def area(self, name: str, summary: str) -> None:
        print(f"\n{name} — {summary}", file=self.stream, flush=True)

    def figure(self, figure: Figure, limits: Mapping[str, float]) -> None:
        print(to_text(figure, limits), file=self.stream, flush=True)

    def summary(self, figures: list[Figure], limits: Mapping[str, float], failed: list[str]) -> None:
        self.area("summary", "every goal of the run, and the raw limits it was measured against")
        print("\n".join(summary(figures, limits, failed)), file=self.stream, flush=True)


class JsonOutput(TextOutput):
    def area(self, name: str, summary: str) -> None:
        pass

    def figure(self, figure: Figure, limits: Mapping[str, float]) -> None:
        print(to_json(figure, limits), file=self.stream, flush=True)

    def summary(self, figures: list[Figure], limits: Mapping[str, float], failed: list[str]) -> None:
        pass  # the JSON lines are the whole record


@contextmanager
def stdout_for_figures() -> Iterator[TextIO]:
    """The real standard output, for figures only; meanwhile file descriptor 1 points at standard error, so
    whatever else writes there (the runtimes' logs, a library's prints) cannot mix with the figures."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    stream = os.fdopen(saved, "w", buffering=1, closefd=False)
    try:
        yield stream
    finally:
        stream.flush()
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


class MissingProgram(RuntimeError):
    pass


def check_programs(areas: list[Area]) -> None:
    for area in areas:
        for program in area.programs:
            if shutil.which(program) is None:
                raise MissingProgram(
                    f"the {area.name} area needs `{program}`, which is not installed: `make bench` installs it "
                    f"(apt-get install -y {program}, as root)"
                )


def run(names: list[str], sizes: Sizes, as_json: bool) -> int:
    """Run the named areas (all when none) and print their figures; 1 when an area failed, else 0."""
    areas = select(names)
    check_programs(areas)
    with stdout_for_figures() as stream:
        return _run(areas, sizes, JsonOutput(stream) if as_json else TextOutput(stream))


def _run(areas: list[Area], sizes: Sizes, output: Output) -> int:
    failed: list[str] = []
    shown: list[Figure] = []
    with bench_servers(sizes) as bench:

        def show(figures: list[Figure]) -> None:
            for figure in figures:
                if figure.area == "limits":
                    bench.limits[figure.metric] = figure.value
                shown.append(figure)
                output.figure(figure, bench.limits)

        needed = limits_needed(areas)
        if not any(area.name == "limits" for area in areas):
            needed |= SUMMARY_LIMITS  # the summary shows them, whatever the areas compare with
        if needed:
            output.area("limits", "only the raw figures the selected areas compare with")
            with own_nats(bench):
                show(limits.measure_only(bench, needed))
        for area in areas:
            output.area(area.name, area.summary)
            try:
                with own_nats(bench):
                    for figure in area.measure()(bench):
                        show([figure])
            except Exception:
                failed.append(area.name)
                print(f"bench area {area.name} failed:\n{traceback.format_exc()}", file=sys.stderr, flush=True)
        output.summary(shown, bench.limits, failed)
    return 1 if failed else 0
