"""`plenary doctor` names every secret still at its development default, and only those."""

import os

import pytest

from plenary_cli.doctor import _warn_development_secrets
from plenary_kit.settings import Settings

SECRETS = {
    "api_key_secret": "PLENARY_API_KEY_SECRET",
    "badge_key_secret": "PLENARY_BADGE_KEY_SECRET",
    "personal_data_secret": "PLENARY_PERSONAL_DATA_SECRET",
    "webhook_secret_key": "PLENARY_WEBHOOK_SECRET_KEY",
    "comms_unsubscribe_secret": "PLENARY_COMMS_UNSUBSCRIBE_SECRET",
    "comms_provider_report_secret": "PLENARY_COMMS_PROVIDER_REPORT_SECRET",
    "delegation_invite_secret": "PLENARY_DELEGATION_INVITE_SECRET",
    "db_role_password": "PLENARY_DB_ROLE_PASSWORD",
}


@pytest.fixture
def defaults(monkeypatch) -> Settings:
    for name in list(os.environ):
        if name.startswith("PLENARY_"):
            monkeypatch.delenv(name)
    return Settings()


def _warnings(settings: Settings, capsys) -> list[str]:  # type: ignore[no-untyped-def]
    _warn_development_secrets(settings)
    return [line for line in capsys.readouterr().out.splitlines() if line.startswith("warn ")]


def test_every_development_default_secret_is_warned_about_with_its_variable(defaults, capsys):
    warnings = _warnings(defaults, capsys)
    assert len(warnings) == len(SECRETS)
    for name, variable in SECRETS.items():
        assert any(line.startswith(f"warn {name} ") and variable in line for line in warnings), name


@pytest.mark.parametrize("name", list(SECRETS))
def test_a_secret_set_for_production_is_not_warned_about(defaults, capsys, name):
    warnings = _warnings(defaults.model_copy(update={name: "a production secret"}), capsys)
    assert not any(line.startswith(f"warn {name} ") for line in warnings)
    assert len(warnings) == len(SECRETS) - 1
