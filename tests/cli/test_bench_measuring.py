"""The bench reads wrk's report, /proc's CPU counters and percentiles the same way every time."""

import pytest

from plenary_cli.bench.proc import stat_cpu_ticks, stat_parent
from plenary_cli.bench.stats import percentile
from plenary_cli.bench.wrk import command, parse_report

REPORT = """Running 10s test @ http://127.0.0.1:18080/api/v1/auth/me
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    41.20ms   12.31ms 210.51ms   83.10%
    Req/Sec   780.12     90.40     1.01k    71.00%
  Latency Distribution
     50%   39.87ms
     75%   45.02ms
     90%   55.70ms
     99%    1.02s
  15540 requests in 10.01s, 6.43MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:   1552.45
Transfer/sec:    657.80KB
"""


def test_a_wrk_report_gives_requests_duration_percentiles_in_ms_and_errors():
    report = parse_report(REPORT)
    assert (report.requests, report.seconds) == (15540, 10.01)
    assert report.p50_ms == 39.87 and report.p99_ms == 1020.0
    assert report.errors == 4 + 3
    assert report.requests_per_s == pytest.approx(1552.45, rel=1e-3)


def test_a_clean_wrk_report_has_no_errors_and_microsecond_latencies_read_as_ms():
    clean = REPORT.replace("  Socket errors: connect 0, read 2, write 0, timeout 1\n", "")
    clean = clean.replace("  Non-2xx or 3xx responses: 4\n", "").replace("39.87ms", "812.00us")
    report = parse_report(clean)
    assert report.errors == 0 and report.p50_ms == pytest.approx(0.812)


def test_output_without_a_latency_distribution_is_refused():
    with pytest.raises(ValueError, match="wrk --latency"):
        parse_report("  100 requests in 1.00s, 1KB read\n")


def test_the_wrk_command_sets_connections_duration_latency_and_each_header():
    args = command("http://h/x", {"X-API-Key": "k", "Authorization": "Bearer t"}, 64, 10)
    assert args[:5] == ["wrk", "-t2", "-c64", "-d10s", "--latency"]
    assert args[-5:] == ["-H", "X-API-Key: k", "-H", "Authorization: Bearer t", "http://h/x"]


STAT = "4242 (python -m (gw) x) S 17 4242 17 0 -1 4194560 9000 0 0 0 1234 567 8 9 20 0 12 0 100 0 0"


def test_cpu_ticks_are_user_plus_system_even_when_the_command_holds_spaces_and_parentheses():
    assert stat_cpu_ticks(STAT) == 1234 + 567
    assert stat_parent(STAT) == 17


def test_percentiles_are_nearest_rank_and_nan_for_nothing():
    values = [float(n) for n in range(1, 101)]
    assert percentile(values, 0.5) == 50.0 and percentile(values, 0.99) == 99.0 and percentile(values, 1.0) == 100.0
    assert percentile([3.0], 0.99) == 3.0
    assert percentile([], 0.5) != percentile([], 0.5)  # NaN
