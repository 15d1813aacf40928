"""Multi-workspace mode: `/slack/install` and `/slack/oauth_redirect` with an encrypted installation store."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select, text

from metaops import create_app, runtime
from store.models import SlackInstallation
from tests.fakes.slack_api import INSTALLED_TOKEN
from tests.helpers import slash_command


@pytest.fixture
def multi(config):
    app = create_app({**config, "SLACK_BOT_TOKEN": "", "SLACK_CLIENT_ID": "111.222", "SLACK_CLIENT_SECRET": "shh"})
    yield app
    app.extensions["metaops"].db.dispose()
    runtime.install(None)


def install(client) -> str:
    page = client.get("/slack/install")
    assert page.status_code == 200
    url = re.search(r'href="(https:[^"]+)"', page.get_data(as_text=True)).group(1).replace("&amp;", "&")
    q = parse_qs(urlsplit(url).query)
    assert q["client_id"] == ["111.222"] and "commands" in q["scope"][0]
    assert q["redirect_uri"] == ["https://metaops.example.test/slack/oauth_redirect"]
    return q["state"][0]


def test_install_stores_the_token_encrypted_and_the_workspace_works(multi, fake_slack):
    client = multi.test_client()
    state = install(client)
    done = client.get("/slack/oauth_redirect", query_string={"code": "SLACK-CODE", "state": state})
    assert done.status_code == 200
    rt = multi.extensions["metaops"]
    with rt.db.session() as s:
        row = s.scalars(select(SlackInstallation)).one()
    assert row.team_id == "T2"
    with rt.db.engine.connect() as conn:
        dump = " ".join(str(v) for r in conn.execute(text("SELECT * FROM slack_installations")) for v in r)
    assert INSTALLED_TOKEN not in dump
    assert rt.slack.for_team("T2").token == INSTALLED_TOKEN

    r = slash_command(client, "help", team="T2")
    assert r.status_code == 200 and "/meta connect" in r.get_json()["text"]


def test_forged_state_or_bad_code_installs_nothing(multi, fake_slack):
    client = multi.test_client()
    install(client)
    forged = client.get("/slack/oauth_redirect", query_string={"code": "SLACK-CODE", "state": "forged"})
    assert forged.status_code >= 400
    state = install(client)
    bad = client.get("/slack/oauth_redirect", query_string={"code": "WRONG", "state": state})
    assert bad.status_code >= 400
    with multi.extensions["metaops"].db.session() as s:
        assert s.scalars(select(SlackInstallation)).all() == []


def test_install_routes_are_off_in_single_workspace_mode(client):
    assert client.get("/slack/install").status_code == 404
