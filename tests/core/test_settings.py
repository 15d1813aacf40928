"""Settings from the environment and `.env`; a missing or bad one stops the process with one line."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet

from metaops import settings
from metaops.exceptions import ConfigError
from tests.constants import ROOT

KEY = Fernet.generate_key().decode()


def test_defaults_follow_the_spec():
    s = settings.load({"ENCRYPTION_KEYS": KEY}, env_file=None)
    assert s.PORT == 3000
    assert s.PUBLIC_URL == "http://localhost:3000"
    assert s.SLACK_API_URL == "https://slack.com/api/"
    assert s.META_GRAPH_URL == "https://graph.facebook.com"
    assert s.META_GRAPH_VERSION == "v26.0"
    assert s.META_DIALOG_URL == "https://www.facebook.com"
    assert s.database_url.startswith("sqlite:///") and s.database_url.endswith("instance/metaops.db")


def test_the_default_public_url_follows_the_port():
    assert settings.load({"ENCRYPTION_KEYS": KEY, "PORT": "8080"}, env_file=None).PUBLIC_URL == "http://localhost:8080"
    s = settings.load({"ENCRYPTION_KEYS": KEY, "PORT": "8080", "PUBLIC_URL": "https://ops.example.com/"},
                      env_file=None)
    assert s.PUBLIC_URL == "https://ops.example.com"


def test_env_file_is_read_and_environment_wins(tmp_path):
    env = tmp_path / ".env"
    env.write_text(f"ENCRYPTION_KEYS={KEY}\nPORT=4000\nPUBLIC_URL=https://from-file.test/\n")
    s = settings.load({"PORT": "5000"}, env_file=str(env))
    assert s.PORT == 5000 and s.PUBLIC_URL == "https://from-file.test"


def test_missing_encryption_keys_names_it():
    with pytest.raises(ConfigError, match="ENCRYPTION_KEYS"):
        settings.load({}, env_file=None)


@pytest.mark.parametrize("values, name", [
    ({"ENCRYPTION_KEYS": "not-a-key"}, "ENCRYPTION_KEYS"),
    ({"ENCRYPTION_KEYS": KEY, "PORT": "eighty"}, "PORT"),
    ({"ENCRYPTION_KEYS": KEY, "SLACK_CLIENT_ID": "123.456"}, "SLACK_CLIENT_SECRET"),
])
def test_malformed_settings_name_the_setting(values, name):
    with pytest.raises(ConfigError, match=name):
        settings.load(values, env_file=None)


def test_web_process_stops_with_one_line_naming_the_setting(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in settings.Settings.__dataclass_fields__}
    env["PYTHONPATH"] = str(ROOT)
    r = subprocess.run([sys.executable, "-c", "import metaops.wsgi"], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0
    assert r.stderr.strip().splitlines() == ["metaops: ENCRYPTION_KEYS is required but not set (see README, Settings)"]


def test_secrets_are_not_in_the_settings_repr():
    s = settings.load({"ENCRYPTION_KEYS": KEY, "META_APP_SECRET": "s3cr3t-app", "SLACK_BOT_TOKEN": "xoxb-123"},
                      env_file=None)
    shown = repr(s)
    assert "s3cr3t-app" not in shown and "xoxb-123" not in shown and KEY not in shown


def test_database_urls_as_platforms_give_them_use_the_installed_driver():
    for given in ("postgres://u:p@db/x", "postgresql://u:p@db/x"):
        assert settings.load({"ENCRYPTION_KEYS": KEY, "DATABASE_URL": given}, env_file=None).database_url == \
            "postgresql+psycopg://u:p@db/x"
