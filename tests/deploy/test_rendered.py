"""The per-service files are written by deploy/render.py: they are what it writes today, and its table of
what each service needs names only real services and settings."""

import importlib.util
import re

from plenary_contracts.services import SERVICES
from plenary_kit.settings import Settings

from .conftest import DEPLOY, ROOT


def renderer():
    spec = importlib.util.spec_from_file_location("deploy_render", DEPLOY / "render.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_generated_files_are_what_deploy_render_writes_today():
    render = renderer()
    written = {path for path in render.K8S_SERVICES.glob("*.yaml")} | {render.COMPOSE}
    expected = render.rendered()
    assert set(expected) == written, "run `uv run --frozen python deploy/render.py`"
    for path, text in expected.items():
        assert path.read_text() == text, f"{path.name} is stale: run `uv run --frozen python deploy/render.py`"


def test_the_kustomize_base_lists_every_generated_service_file():
    base = (DEPLOY / "k8s" / "base" / "kustomization.yaml").read_text()
    for name in SERVICES:
        assert f"  - services/{name}.yaml\n" in base, name


def test_the_roles_name_only_real_services_and_settings():
    render = renderer()
    assert set(render.ROLES) <= set(SERVICES)
    assert set(render.COMPOSE_OPTIONS) <= set(SERVICES)
    for role in render.ROLES.values():
        assert set(role.secrets) | set(role.optional_secrets) <= set(Settings.model_fields)
    for options in render.COMPOSE_OPTIONS.values():
        assert set(options) <= set(Settings.model_fields)


def test_every_service_is_given_each_secret_its_code_reads():
    """A secret left out would leave the service on its development default, which anyone can read here."""
    render = renderer()
    fields = Settings.model_fields.items()
    secrets = {name for name, field in fields if str(field.default).startswith("plenary-dev-")}
    secrets |= {"smtp_password", "comms_provider_token"}
    seen: set[str] = set()
    for name in SERVICES:
        source = "".join(path.read_text() for path in (ROOT / "services" / name / "src").rglob("*.py"))
        read = {secret for secret in secrets if re.search(rf"\.{secret}\b", source)}
        role = render.role_of(name)
        assert read <= {*role.secrets, *role.optional_secrets}, name
        seen |= read
    # what the kit's runtime reads for every service, each of them is given
    kit = "".join(path.read_text() for path in (ROOT / "shared" / "kit" / "src").rglob("*.py"))
    every = {secret for secret in secrets if re.search(rf"\.{secret}\b", kit)}
    assert every <= set(render.EVERY_SERVICE)
    seen |= every
    assert seen == secrets, f"{secrets - seen} read by no service: a stale name in this test?"
