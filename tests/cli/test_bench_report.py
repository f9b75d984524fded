"""A bench figure is judged against its goal and compared with the raw limit it rides on."""

import json
import math

from plenary_cli.bench.report import Figure, Goal, at_least, at_most, below, number, ratio, summary, to_json, to_text

LIMITS = {"limits.jetstream_publish_pipelined_per_s": 40_000.0}


def test_a_lower_bound_goal_is_met_at_the_bound_and_above_only():
    assert at_least(5000).met_by(5000) and at_least(5000).met_by(7000)
    assert not at_least(5000).met_by(4999.9)


def test_an_upper_bound_goal_is_met_strictly_below_or_up_to_it_as_stated():
    assert below(100).met_by(99.9) and not below(100).met_by(100)
    assert at_most(2).met_by(2) and not at_most(2).met_by(2.01)


def test_a_figure_that_could_not_be_measured_meets_no_goal():
    assert not at_least(1).met_by(float("nan")) and not below(1).met_by(float("nan"))


def test_the_ratio_is_the_value_as_a_multiple_of_its_limit_and_absent_without_one():
    assert ratio(2000, 40_000) == 0.05
    assert ratio(1.2, 0.3) == 1.2 / 0.3
    assert ratio(5, None) is None and ratio(5, 0) is None and ratio(5, math.nan) is None


def test_a_json_line_carries_area_metric_value_unit_goal_verdict_limit_and_ratio():
    figure = Figure("pipeline", "pipeline.events_per_s", 2000.0, "events/s", at_least(5000), next(iter(LIMITS)))
    line = json.loads(to_json(figure, LIMITS))
    assert line == {
        "area": "pipeline",
        "metric": "pipeline.events_per_s",
        "value": 2000.0,
        "unit": "events/s",
        "goal": {"direction": ">=", "value": 5000},
        "met": False,
        "limit": {"metric": "limits.jetstream_publish_pipelined_per_s", "value": 40000.0},
        "ratio": 0.05,
    }


def test_a_json_line_without_goal_or_limit_has_nulls_and_stays_one_line():
    text = to_json(Figure("limits", "limits.pg_copy_rows_per_s", 186_000.4, "rows/s"), {})
    line = json.loads(text)
    assert "\n" not in text
    assert (line["goal"], line["met"], line["limit"], line["ratio"]) == (None, None, None, None)


def test_a_json_line_whose_limit_was_not_measured_says_so_with_a_null_ratio():
    figure = Figure("rpc", "rpc.p50_ms", 1.5, "ms", below(1), "limits.core_request_p50_ms")
    line = json.loads(to_json(figure, {}))
    assert line["limit"] == {"metric": "limits.core_request_p50_ms", "value": None} and line["ratio"] is None


def test_a_text_line_shows_the_goal_the_verdict_and_the_ratio_to_the_limit():
    figure = Figure("pipeline", "pipeline.events_per_s", 6000.0, "events/s", at_least(5000), next(iter(LIMITS)))
    text = to_text(figure, LIMITS)
    assert "pipeline.events_per_s" in text and "6,000" in text and "goal >= 5,000" in text
    assert " met " in text and "ratio 0.15 to limits.jetstream_publish_pipelined_per_s (40,000)" in text


def test_a_text_line_of_a_missed_goal_says_not_met_and_an_unmeasured_limit_gives_ratio_n_a():
    text = to_text(Figure("rpc", "rpc.p50_ms", 3.0, "ms", below(1), "limits.core_request_p50_ms"), {})
    assert "NOT MET" in text and "ratio n/a" in text


def test_numbers_read_with_grouped_thousands_and_about_three_digits():
    assert [number(v) for v in (186_000.4, 5000, 42.25, 3.14159, 0.3124, math.nan)] == [
        "186,000",
        "5,000",
        "42.2",
        "3.14",
        "0.312",
        "n/a",
    ]


def test_a_goal_prints_as_its_direction_and_target():
    assert str(Goal(">=", 1500)) == ">= 1,500" and str(below(0.5)) == "< 0.5"


def test_the_summary_lists_each_goal_with_its_verdict_then_the_raw_limits_and_the_count_met():
    figures = [
        Figure("limits", "limits.pg_commits_per_s_1", 2400.0, "commits/s"),
        Figure("rpc", "rpc.p50_ms", 0.8, "ms", below(1), "limits.core_request_p50_ms"),
        Figure("pipeline", "pipeline.events_per_s", 2000.0, "events/s", at_least(5000)),
        Figure("rpc", "rpc.calls", 100.0, "calls"),
    ]
    lines = summary(figures, {}, failed=["webhooks"])
    assert lines[0].split() == ["metric", "value", "unit", "goal", "verdict"]
    assert lines[1].split()[0] == "rpc.p50_ms" and lines[1].endswith(" met")
    assert lines[2].split()[0] == "pipeline.events_per_s" and lines[2].endswith("NOT MET")
    assert not any("rpc.calls" in line for line in lines)  # no goal, not in the table
    assert "limits.pg_commits_per_s_1" in lines[4] and "2,400" in lines[4]
    assert lines[-1] == "  goals met: 1 of 2; areas failed: webhooks"
