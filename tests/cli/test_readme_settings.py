"""The README's settings table is checked against the Settings model, so neither can drift from the other."""

import inspect
import json
import os
import re
from pathlib import Path

import pytest

from plenary_kit.settings import ServiceSettings, Settings

README = Path(__file__).parents[2] / "README.md"
ROW = re.compile(r"^\| `(PLENARY_[A-Z0-9_<>]+)` \| ([^|]*) \|", re.MULTILINE)


def _rows() -> dict[str, str]:
    return {name: default.strip() for name, default in ROW.findall(README.read_text())}


def _shown(value: object) -> str:
    """A default as the table writes it: `value`, or "unset"."""
    if value is None:
        return "unset"
    return f"`{value if isinstance(value, str) else json.dumps(value)}`"


@pytest.fixture
def defaults(monkeypatch) -> Settings:
    for name in list(os.environ):
        if name.startswith("PLENARY_"):
            monkeypatch.delenv(name)
    return Settings()


def test_the_readme_lists_every_setting_and_no_other():
    documented = {name for name in _rows() if "<" not in name}
    assert documented == {f"PLENARY_{field.upper()}" for field in Settings.model_fields}


def test_the_readme_gives_each_settings_default(defaults):
    rows = _rows()
    for field, value in defaults.model_dump(mode="json").items():
        cell = rows[f"PLENARY_{field.upper()}"]
        assert cell.startswith(_shown(value)), f"PLENARY_{field.upper()}: README says {cell!r}, default is {value!r}"


def test_the_readme_lists_every_per_service_override():
    overrides = set(re.findall(r'_override\("([A-Z_]+)"\)', inspect.getsource(ServiceSettings)))
    assert overrides, "ServiceSettings reads no override any more: update this test"
    assert {name for name in _rows() if "<SERVICE>" in name} == {f"PLENARY_<SERVICE>_{key}" for key in overrides}
