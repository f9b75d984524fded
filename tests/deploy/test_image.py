"""The one image: its Dockerfile passes hadolint, and its entrypoint runs each service by name."""

import importlib.util
import re

from plenary_contracts.services import SERVICES, package_of

from .conftest import DEPLOY, ROOT, run, tool

ENTRYPOINT = DEPLOY / "image" / "entrypoint.sh"


def test_the_dockerfile_passes_hadolint():
    linted = run(tool("hadolint"), "--failure-threshold", "info", "Dockerfile")
    assert linted.returncode == 0, linted.stdout + linted.stderr


def test_hadolint_rejects_an_unpinned_base_image_and_an_unpinned_apt_install(tmp_path):
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM python:latest\nRUN apt-get update && apt-get install -y curl\n")
    linted = run(tool("hadolint"), str(dockerfile))
    assert linted.returncode != 0
    assert "DL3007" in linted.stdout and "DL3008" in linted.stdout


def test_the_image_is_multi_stage_and_runs_as_an_unprivileged_user():
    dockerfile = (ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM .* AS (\w+)$", dockerfile, re.MULTILINE)
    assert stages[-1] == "runtime" and "build" in stages
    runtime = dockerfile.split("AS runtime", 1)[1]
    users = re.findall(r"^USER (\S+)$", runtime, re.MULTILINE)
    assert users and users[-1].split(":")[0] not in {"root", "0"}
    assert "uv sync --frozen --no-dev" in dockerfile
    assert 'ENTRYPOINT ["/app/deploy/image/entrypoint.sh"]' in dockerfile


def test_the_build_context_holds_the_sources_and_the_image_scripts_but_no_tests():
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    ignored = [line for line in lines if line and not line.startswith("#")]
    assert ignored[0] == "**"
    assert {"!pyproject.toml", "!uv.lock", "!shared/", "!services/", "!src/", "!deploy/image/"} <= set(ignored)
    assert "**/tests/" in ignored


def test_every_service_is_run_by_its_name_as_its_package():
    for name in SERVICES:
        assert (ROOT / "services" / name).is_dir(), f"the entrypoint finds a service by services/{name}"
        assert importlib.util.find_spec(package_of(name)) is not None


def test_the_entrypoint_without_a_service_says_which_there_are_and_exits_2():
    started = run("sh", str(ENTRYPOINT))
    assert started.returncode == 2
    listed = started.stderr.split("services:", 1)[1].split()
    assert sorted(listed) == sorted(SERVICES)


def test_the_entrypoint_passes_any_other_command_through():
    started = run("sh", str(ENTRYPOINT), "sh", "-c", "echo through")
    assert (started.returncode, started.stdout) == (0, "through\n")


def test_provision_migrates_then_applies_the_streams_then_seeds():
    script = ENTRYPOINT.read_text()
    branch = script.split("provision)", 1)[1].split(";;", 1)[0].split()
    assert " ".join(branch) == "plenary migrate plenary streams apply exec plenary seed"
