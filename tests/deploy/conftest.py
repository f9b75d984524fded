"""What the deployment tests share: the files under deploy/, the tools that check them (installed in the
virtualenv from PyPI: hadolint, kubectl for `kubectl kustomize`, check-jsonschema), and the settings'
names and health ports as the code defines them."""

import inspect
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from plenary_contracts.services import SERVICES
from plenary_kit.settings import ServiceSettings, Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
OVERLAYS = ("dev", "prod")
KUBERNETES_VERSION = "1.33.0"  # the oldest release the manifests promise to work on


def tool(name: str) -> str:
    """A checker the dev dependencies install beside this interpreter (no system install is assumed)."""
    path = Path(sys.executable).parent / name
    assert path.exists(), f"{name} is missing from the virtualenv: run `uv sync --frozen`"
    return str(path)


def run(*command: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="session")
def compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "compose.yml").read_text())


def _kustomize(directory: Path) -> list[dict[str, Any]]:
    built = run(tool("kubectl"), "kustomize", str(directory))
    assert built.returncode == 0, built.stderr
    return [doc for doc in yaml.safe_load_all(built.stdout) if doc]


@pytest.fixture(scope="session")
def overlays() -> dict[str, list[dict[str, Any]]]:
    """`kustomize build` of each overlay, as the cluster would receive it."""
    return {name: _kustomize(DEPLOY / "k8s" / "overlays" / name) for name in OVERLAYS}


@pytest.fixture(scope="session")
def setting_names() -> set[str]:
    """Every environment variable the settings read: PLENARY_<FIELD> and PLENARY_<SERVICE>_<OVERRIDE>."""
    overrides = set(re.findall(r'_override\("([A-Z_]+)"\)', inspect.getsource(ServiceSettings)))
    assert overrides, "ServiceSettings reads no override any more: update this fixture"
    names = {f"PLENARY_{field.upper()}" for field in Settings.model_fields}
    for service in SERVICES:
        names |= {Settings().service(service).setting_name(key) for key in overrides}
    return names


@pytest.fixture
def health_port_under(monkeypatch) -> Iterator[Callable[[str, dict[str, str]], int]]:
    """The health port a service listens on with exactly this environment (its container's)."""

    def port(service: str, environment: dict[str, str]) -> int:
        with monkeypatch.context() as patch:
            for name in list(os.environ):
                if name.startswith("PLENARY_"):
                    patch.delenv(name)
            for name, value in environment.items():
                patch.setenv(name, value)
            return Settings().service(service).health_port(SERVICES.index(service))

    yield port
