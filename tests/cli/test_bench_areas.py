"""`plenary bench` selects areas from its registry, sizes them, and refuses unknown names clearly."""

import pytest
from typer.testing import CliRunner

from plenary_cli.bench import raw
from plenary_cli.bench.registry import AREAS, UnknownArea, limits_needed, select
from plenary_cli.bench.sizes import SMALL, BadSize, Sizes, parse_sizes
from plenary_cli.main import app

NAMES = ["limits", "pipeline", "rpc", "gateway", "workflow", "registration", "checkin", "webhooks", "comms", "views"]
NAMES.append("analytics")
NAMES.append("audit")
NAMES.append("sagas")


def test_no_area_named_selects_every_area_in_registry_order():
    assert [area.name for area in select([])] == NAMES


def test_named_areas_run_in_registry_order_once_each():
    assert [area.name for area in select(["registration", "rpc", "rpc"])] == ["rpc", "registration"]


def test_an_unknown_area_is_refused_with_the_known_ones_listed():
    with pytest.raises(
        UnknownArea,
        match=r"'nope'.*limits, pipeline, rpc, gateway, workflow, registration, checkin, webhooks, comms, views",
    ):
        select(["rpc", "nope"])


def test_every_area_names_a_module_with_a_measure_function():
    for area in AREAS:
        assert callable(area.measure()), area.name


def test_every_limit_an_area_compares_with_is_a_raw_figure_the_limits_area_measures():
    from plenary_cli.bench.limits import PROBES

    measured = {name for produces, _ in PROBES for name in produces}
    assert {name for area in AREAS for name in area.limits} <= measured


def test_without_the_limits_area_only_the_raw_figures_of_the_selected_areas_are_needed():
    assert limits_needed(select(["rpc"])) == {raw.CORE_P50, raw.CORE_P99, raw.CORE_CONCURRENT}
    assert limits_needed(select(["limits", "rpc"])) == set()


def test_the_cli_exits_2_on_an_unknown_area_before_starting_anything():
    result = CliRunner().invoke(app, ["bench", "nope"])
    assert result.exit_code == 2
    assert "unknown bench area 'nope'" in result.output


def test_sizes_default_to_the_real_bench_and_small_shrinks_every_area():
    assert parse_sizes([]) == Sizes()
    assert parse_sizes(["small"]) == SMALL and SMALL.import_rows < Sizes().import_rows


def test_a_named_size_overrides_one_part_after_the_preset():
    sizes = parse_sizes(["small", "import_rows=2000"])
    assert sizes.import_rows == 2000 and sizes.pipeline_events == SMALL.pipeline_events


@pytest.mark.parametrize("spec", ["import_rows", "nope=3", "import_rows=-1", "import_rows=many"])
def test_a_malformed_size_is_refused(spec):
    with pytest.raises(BadSize):
        parse_sizes([spec])
