"""Settings: read from the environment and .env, checked, and every one documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fediverse.errors import SettingsError
from fediverse.settings import load_settings, setting_names
from tests.support.processes import instance_env, kollegium

ROOT = Path(__file__).resolve().parent.parent
GOOD = {"KOLLEGIUM_DOMAIN": "kommun-a.example", "KOLLEGIUM_SECRET_KEY": "s" * 32}


def test_defaults_are_internal_and_safe() -> None:
    settings = load_settings(GOOD, env_file=None)
    assert settings.federation_mode == "allowlist"
    assert settings.dev_insecure is False
    assert settings.password_grant is True
    assert settings.database_url == "sqlite:///./data/kollegium.db"
    assert settings.base_url == "https://kommun-a.example"


def test_dev_insecure_switches_ids_to_http() -> None:
    settings = load_settings(GOOD | {"KOLLEGIUM_DEV_INSECURE": "1"}, env_file=None)
    assert settings.base_url == "http://kommun-a.example"


def test_env_file_is_read_and_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "KOLLEGIUM_DOMAIN=from-file.example\nKOLLEGIUM_SECRET_KEY=" + "f" * 32 + "\n"
        "KOLLEGIUM_FEDERATION_MODE=closed\n"
    )
    settings = load_settings({"KOLLEGIUM_DOMAIN": "from-env.example"}, env_file=env_file)
    assert settings.domain == "from-env.example"
    assert settings.federation_mode == "closed"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("KOLLEGIUM_FEDERATION_MODE", "open", "one of allowlist, blocklist, closed"),
        ("KOLLEGIUM_DOMAIN", "https://x.example/", "host name"),
        ("KOLLEGIUM_SECRET_KEY", "short", "at least 32 characters"),
        ("KOLLEGIUM_DATABASE_URL", "mysql://db/x", "sqlite:/// or postgresql://"),
        ("KOLLEGIUM_PASSWORD_GRANT", "maybe", "true or false"),
        ("KOLLEGIUM_DEV_INSECURE", "2", "true or false"),
        ("KOLLEGIUM_REDIS_URL", "http://r", "redis://"),
        ("KOLLEGIUM_LOG_LEVEL", "loud", "one of debug"),
        ("KOLLEGIUM_MAX_REQUEST_BYTES", "12kb", "whole number of bytes"),
        ("KOLLEGIUM_METRICS_TOKEN", "short", "at least 32 characters"),
        ("KOLLEGIUM_PRIVATE_NETWORKS", "10.0.0.0/8,intranet", "comma-separated networks"),
    ],
)
def test_a_wrong_value_names_the_variable_and_what_is_expected(
    name: str, value: str, expected: str
) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(GOOD | {name: value}, env_file=None)
    assert name in caught.value.message
    assert expected in caught.value.message


@pytest.mark.parametrize("missing", ["KOLLEGIUM_DOMAIN", "KOLLEGIUM_SECRET_KEY"])
def test_a_missing_required_setting_is_named(missing: str) -> None:
    environ = {k: v for k, v in GOOD.items() if k != missing}
    with pytest.raises(SettingsError, match=missing):
        load_settings(environ, env_file=None)


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `(KOLLEGIUM_[A-Z_]+)` \|", readme, flags=re.MULTILINE))
    assert set(setting_names()) <= documented, "settings missing from README.md's table"
    assert documented <= set(setting_names()), "README.md documents settings that do not exist"


def test_the_process_exits_non_zero_on_a_bad_setting(tmp_path: Path) -> None:
    env = instance_env(f"sqlite:///{tmp_path}/k.db", "kommun-a.test")
    env["KOLLEGIUM_FEDERATION_MODE"] = "wide-open"
    result = kollegium("init", env=env, cwd=tmp_path)
    assert result.returncode != 0
    assert "KOLLEGIUM_FEDERATION_MODE must be one of allowlist, blocklist, closed" in result.stderr
    assert not (tmp_path / "k.db").exists()


def test_private_networks_are_parsed_into_networks() -> None:
    environ = GOOD | {"KOLLEGIUM_PRIVATE_NETWORKS": " 10.20.0.0/16, 192.168.5.7/24 ,fd00::/8"}
    settings = load_settings(environ, env_file=None)
    assert [str(n) for n in settings.private_networks] == [
        "10.20.0.0/16",
        "192.168.5.0/24",
        "fd00::/8",
    ]
    assert load_settings(GOOD, env_file=None).private_networks == ()
