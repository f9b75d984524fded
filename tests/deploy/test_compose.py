"""deploy/compose.yml: valid against the Compose specification, and consistent with the code (every service,
its readiness endpoint and port, settings that exist, secrets that .env.example sets)."""

import re
from urllib.parse import urlparse

from plenary_contracts.services import SERVICES

from .conftest import DEPLOY, run, tool

INTERPOLATION = re.compile(r"\$\{(\w+)(?::?([-?])([^}]*))?\}")


def check_compose(path) -> tuple[int, str]:
    # check-jsonschema ships the Compose specification's schema (vendor.compose-spec): nothing is downloaded.
    checked = run(tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(path))
    return checked.returncode, checked.stdout + checked.stderr


def resolved(value: str) -> str:
    """A value as compose would pass it with nothing set in .env: a default, or a stand-in for a required one."""
    return INTERPOLATION.sub(lambda m: m.group(3) if m.group(2) == "-" else "set-in-env", value)


def test_the_compose_file_is_valid_against_the_compose_specification():
    status, output = check_compose(DEPLOY / "compose.yml")
    assert status == 0, output


def test_a_compose_file_with_an_unknown_key_is_rejected(tmp_path):
    broken = tmp_path / "compose.yml"
    broken.write_text("services:\n  gateway:\n    image: plenary\n    helthcheck:\n      test: [CMD, 'true']\n")
    status, output = check_compose(broken)
    assert status != 0 and "helthcheck" in output


def test_every_service_runs_from_the_one_image_after_the_provisioning_job(compose):
    services = compose["services"]
    images = {services[name]["image"] for name in ("provision", *SERVICES)}
    assert len(images) == 1
    for name in SERVICES:
        assert services[name]["command"] == [name]
        assert services[name]["depends_on"] == {"provision": {"condition": "service_completed_successfully"}}
        assert services[name]["restart"] == "unless-stopped"


def test_the_provisioning_job_runs_once_postgres_and_nats_are_healthy(compose):
    job = compose["services"]["provision"]
    assert job["command"] == ["provision"]
    assert job["restart"] == "no"
    assert job["depends_on"] == {"postgres": {"condition": "service_healthy"}, "nats": {"condition": "service_healthy"}}
    assert resolved(job["environment"]["PLENARY_STREAM_REPLICAS"]) == "1"


def test_each_health_check_asks_the_services_readiness_endpoint_on_its_health_port(compose, health_port_under):
    for name in SERVICES:
        service = compose["services"][name]
        command = service["healthcheck"]["test"]
        url = urlparse(re.search(r"http://[^'\" ]+", " ".join(command)).group(0))
        environment = {key: resolved(value) for key, value in service["environment"].items()}
        assert url.path == "/readyz", name
        assert url.port == health_port_under(name, environment), name


def test_only_the_gateway_is_published_on_its_http_port(compose):
    published = {name: service["ports"] for name, service in compose["services"].items() if "ports" in service}
    assert list(published) == ["gateway"]
    assert resolved(published["gateway"][0]) == "8080:8080"


def test_nats_runs_jetstream_with_its_store_on_a_volume(compose):
    nats = compose["services"]["nats"]
    assert nats["image"].startswith("nats:")
    assert "--jetstream" in nats["command"]
    store = next(arg.split("=", 1)[1] for arg in nats["command"] if arg.startswith("--store_dir="))
    assert f"nats:{store}" in nats["volumes"] and "nats" in compose["volumes"]
    assert compose["services"]["postgres"]["image"].startswith("postgres:")
    assert "postgres:/var/lib/postgresql/data" in compose["services"]["postgres"]["volumes"]


def test_every_variable_given_to_a_plenary_container_is_a_setting(compose, setting_names):
    for name in ("provision", *SERVICES):
        environment = compose["services"][name]["environment"]
        unknown = set(environment) - setting_names
        assert not unknown, f"{name}: {unknown} are not settings"
        interpolated = {m.group(1) for value in environment.values() for m in INTERPOLATION.finditer(value)}
        assert not {each for each in interpolated if each.startswith("PLENARY_")} - setting_names


def test_the_services_reach_postgresql_without_the_superusers_password(compose):
    for name in SERVICES:
        url = urlparse(compose["services"][name]["environment"]["PLENARY_DATABASE_URL"])
        assert url.password is None and url.username is None, name
    assert "${POSTGRES_PASSWORD}" in compose["services"]["provision"]["environment"]["PLENARY_DATABASE_URL"]


def test_the_env_example_sets_every_required_variable(compose):
    example = (DEPLOY / ".env.example").read_text()
    assigned = set(re.findall(r"^(\w+)=", example, re.MULTILINE))
    mentioned = set(re.findall(r"^#? ?(\w+)=", example, re.MULTILINE))
    text = (DEPLOY / "compose.yml").read_text()
    required = {m.group(1) for m in INTERPOLATION.finditer(text) if m.group(2) == "?"}
    optional = {m.group(1) for m in INTERPOLATION.finditer(text) if m.group(2) == "-"}
    assert required and required <= assigned
    assert optional <= mentioned, f"{optional - mentioned} are not described in deploy/.env.example"
