"""`plenary routes` lists every HTTP route of the registry once, with the handler each service really wires,
and every live feed with the gateway's endpoint that serves it."""

import importlib
import json

import pytest
from typer.testing import CliRunner

from plenary_cli import routes
from plenary_cli.main import app
from plenary_contracts.registry import FEEDS, OPERATIONS

HTTP_OPERATIONS = [op for op in OPERATIONS if op.http is not None]


def _listed(*args: str) -> list[dict[str, str]]:
    result = CliRunner().invoke(app, ["routes", "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.fixture(scope="module")
def listed() -> list[dict[str, str]]:
    return _listed()


def _resolve(module: str, qualname: str) -> object:
    """The object a ``module:qualname`` names, down to the function that defines a local one."""
    found: object = importlib.import_module(module)
    for part in qualname.split(".<locals>.")[0].split("."):
        found = getattr(found, part)
    return found


def test_every_http_route_of_the_registry_is_listed_exactly_once(listed):
    subjects = [row["subject"] for row in listed if row["kind"] == "operation"]
    assert sorted(subjects) == sorted(op.subject for op in HTTP_OPERATIONS)
    assert len(subjects) == len(set(subjects))


def test_each_route_shows_its_method_path_permission_and_flag_as_the_registry_declares(listed):
    by_subject = {row["subject"]: row for row in listed if row["kind"] == "operation"}
    for op in HTTP_OPERATIONS:
        assert op.http is not None
        row = by_subject[op.subject]
        assert (row["method"], row["path"]) == (op.http.method, "/api/v1" + op.http.path)
        assert row["flag"] == (op.flag.value if op.flag else "-")
        if op.public:
            assert row["permission"] == "public"
        else:
            code = op.permission.code if op.permission else "none"
            assert row["permission"] == (f"global-admin {code}" if op.global_only else code)


def test_every_feed_is_listed_once_after_the_operations_as_the_gateway_s(listed):
    feeds = [row for row in listed if row["kind"] == "feed"]
    assert listed[-len(FEEDS) :] == feeds
    assert [row["path"] for row in feeds] == ["/api/v1" + feed.path for feed in FEEDS]
    for row, feed in zip(feeds, FEEDS, strict=True):
        permission = feed.permission.code if feed.permission else "own"  # a personal feed: the caller's own
        assert (row["method"], row["service"], row["permission"]) == ("GET", "gateway", permission)
        assert row["flag"] == (feed.flag.value if feed.flag else "-")
        assert row["subject"] == ",".join(each.event.subject for each in feed.events)
        assert row["handler"].startswith("gateway_svc.entrypoints.feeds:")


def test_only_the_gateway_lists_the_feeds():
    assert {row["kind"] for row in _listed("--service", "gateway")} == {"feed"}
    assert {row["kind"] for row in _listed("--service", "checkin")} == {"operation"}


def test_every_route_names_a_handler_that_exists_in_an_importable_module_of_its_service(listed):
    for row in listed:
        assert row["handler"] != routes.UNSERVED, f"{row['subject']} is served by no handler"
        module, _, qualname = row["handler"].partition(":")
        assert row["module"] == module
        assert module.startswith(row["service"].replace("-", "_") + "_svc.")
        assert callable(_resolve(module, qualname)), row["handler"]


def test_one_service_can_be_listed_alone():
    listed = _listed("--service", "events")
    assert {row["service"] for row in listed} == {"events"}
    assert len(listed) == sum(op.service == "events" for op in HTTP_OPERATIONS)


def test_the_table_has_a_header_and_one_line_per_route():
    result = CliRunner().invoke(app, ["routes"])
    assert result.exit_code == 0, result.output
    header, *lines = result.output.splitlines()
    assert header.split() == ["METHOD", "PATH", "SUBJECT", "PERMISSION", "FLAG", "HANDLER"]
    assert len(lines) == len(HTTP_OPERATIONS) + len(FEEDS)
    for line, op in zip(lines, HTTP_OPERATIONS, strict=False):
        assert op.http is not None
        assert line.split()[:3] == [op.http.method, "/api/v1" + op.http.path, op.subject]
    for line, feed in zip(lines[len(HTTP_OPERATIONS) :], FEEDS, strict=True):
        assert line.split()[:2] == ["GET", "/api/v1" + feed.path]


def test_an_unknown_service_is_refused_by_name():
    with pytest.raises(KeyError, match="unknown service 'nope'"):
        routes.routes("nope")
