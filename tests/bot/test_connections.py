"""Connecting Meta from Slack, through signed Slack requests, the OAuth callback and the Graph fake."""

from __future__ import annotations

import json
import re
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit, urlunsplit

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text

from integrations.meta import oauth
from integrations.meta.errors import GraphError
from metaops.assets import connections
from store.models import InstagramAccount, MetaConnection, Page, PhoneNumber, WhatsAppAccount
from store.timestamps import utcnow
from tests.constants import PHONE_ID, WABA
from tests.fakes.meta_graph import APP_ID, VERSION
from tests.helpers import (
    CODES,
    connect,
    connect_url,
    later,
    oauth_callback,
    open_connect,
    shown_code,
    slash_command,
    start_state,
    state_of,
)


def _connection(rt):
    with rt.db.session() as s:
        return s.scalars(select(MetaConnection)).one_or_none()


def test_connect_button_opens_metas_dialog_after_the_code(client):
    button = urlsplit(connect_url(client))
    assert f"{button.scheme}://{button.netloc}{button.path}" == "https://metaops.example.test/meta/oauth/start"
    page = client.get(urlunsplit(button))
    assert page.status_code == 200 and b'name="code"' in page.data and "Set-Cookie" not in page.headers
    assert "Location" not in page.headers
    csp = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "form-action 'self' https://dialog.example.test" in csp
    state = parse_qs(button.query)["state"][0]
    r = client.post(urlunsplit(button), data={"state": state, "code": CODES[state]})
    assert r.status_code == 303
    cookie = r.headers["Set-Cookie"]
    for attribute in ("HttpOnly", "Secure", "SameSite=Lax", "Max-Age=", "Path=/meta/oauth/"):
        assert attribute in cookie
    url = urlsplit(r.headers["Location"])
    q = parse_qs(url.query)
    assert q["state"] == parse_qs(button.query)["state"]
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"https://dialog.example.test/{VERSION}/dialog/oauth"
    assert q["client_id"] == [APP_ID]
    assert q["redirect_uri"] == ["https://metaops.example.test/meta/oauth/callback"]
    for scope in ("whatsapp_business_management", "whatsapp_business_messaging", "pages_show_list",
                  "instagram_basic"):
        assert scope in q["scope"][0]


def test_whole_connect_happy_path(client, rt, fake_slack, fake_graph):
    r = connect(client, fake_graph)
    assert r.status_code == 200 and b"Connected" in r.data
    conn = _connection(rt)
    assert conn.team_id == "T1" and conn.connected_by == "U_ADMIN" and conn.channel_id == "C_CONNECT"
    assert conn.meta_user_name == "Ada Admin" and "whatsapp_business_messaging" in conn.permissions
    assert conn.token_expires_at > utcnow() + timedelta(days=50)
    assert rt.crypto.decrypt(conn.token_enc).startswith("EAA")
    with rt.db.session() as s:
        assert s.scalars(select(WhatsAppAccount.id)).all() == [WABA]
        assert s.scalars(select(PhoneNumber.id)).all() == [PHONE_ID]
        assert len(s.scalars(select(Page)).all()) == 3
        assert s.scalars(select(InstagramAccount.username)).all() == ["acme"]
    [summary] = fake_slack.messages
    assert summary["channel"] == "C_CONNECT" and "Ada Admin" in summary["text"] and "Acme Support" in summary["text"]

    status = slash_command(client, "status", user="U_MEMBER").get_json()["text"]
    for expected in ("active", "Acme Support", "+1 555-078-3881", "Acme Page 1", "@acme", "days left", "<@U_ADMIN>"):
        assert expected in status
    # The connect channel is now the default for notifications.
    from store import workspaces

    assert workspaces.channel_for(rt.db.engine, "T1", "messages") == "C_CONNECT"


def test_non_admin_is_refused_and_an_added_admin_is_not(client, fake_slack):
    r = slash_command(client, "connect", user="U_MEMBER").get_json()
    assert "Only workspace admins" in r["text"] and "blocks" not in r
    added = slash_command(client, "admins add <@U_MEMBER|max>", user="U_OWNER").get_json()["text"]
    assert "<@U_MEMBER>" in added
    assert "blocks" in slash_command(client, "connect", user="U_MEMBER").get_json()
    assert "<@U_MEMBER>" in slash_command(client, "admins", user="U_MEMBER").get_json()["text"]
    slash_command(client, "admins remove <@U_MEMBER>", user="U_ADMIN")
    assert "Only workspace admins" in slash_command(client, "connect", user="U_MEMBER").get_json()["text"]


def test_members_cannot_add_admins(client):
    r = slash_command(client, "admins add <@U_MEMBER>", user="U_MEMBER").get_json()["text"]
    assert "Only workspace admins" in r


def test_denied_consent_stores_nothing_and_tells_the_user(client, rt, fake_slack):
    state = parse_qs(urlsplit(open_connect(client, connect_url(client))).query)["state"][0]
    r = oauth_callback(client, error="access_denied", error_reason="user_denied", state=state)
    assert r.status_code == 400 and _connection(rt) is None
    [told] = fake_slack.ephemerals
    assert told["user"] == "U_ADMIN" and "consent was not given" in told["text"]


def test_forged_state_is_refused(client, rt, fake_graph):
    forged = Fernet(Fernet.generate_key()).encrypt(b'{"t":"T1","u":"U_ADMIN","c":"C1","n":"x"}').decode()
    for state in (forged, "garbage", ""):
        r = client.get("/meta/oauth/callback", query_string={"code": fake_graph.consent(), "state": state})
        assert r.status_code == 400 and b"not valid" in r.data
    assert _connection(rt) is None


def test_expired_state_is_refused_and_the_user_told(client, rt, fake_slack, fake_graph):
    payload = json.dumps({"t": "T1", "u": "U_ADMIN", "c": "C1", "n": "old-nonce"}).encode()
    rt.redis.set("metaops:oauth:old-nonce", 1)
    key = rt.settings.encryption_keys[0]
    old = Fernet(key).encrypt_at_time(payload, int(time.time()) - 11 * 60).decode()
    # Started in this browser while it was valid (a store with a longer life binds it), finished too late.
    rt.redis.set("metaops:oauth:old-nonce:code", oauth.code_digest("old-nonce", "123456"))
    secret, _ = connections.oauth.StateStore(rt.redis, rt.crypto, 3600).bind(old, "123456")
    client.set_cookie(connections.oauth.browser_cookie(old), secret, domain="metaops.example.test",
                      path="/meta/oauth/")
    r = oauth_callback(client, code=fake_graph.consent(), state=old)
    assert r.status_code == 400 and b"expired" in r.data and _connection(rt) is None
    assert "expired" in fake_slack.ephemerals[0]["text"]


def test_expired_state_cannot_be_started(client, rt, fake_slack):
    payload = json.dumps({"t": "T1", "u": "U_ADMIN", "c": "C1", "n": "old-nonce"}).encode()
    rt.redis.set("metaops:oauth:old-nonce", 1)
    old = Fernet(rt.settings.encryption_keys[0]).encrypt_at_time(payload, int(time.time()) - 11 * 60).decode()
    r = client.get("https://metaops.example.test/meta/oauth/start", query_string={"state": old})
    assert r.status_code == 400 and b"expired" in r.data and "Set-Cookie" not in r.headers
    assert "expired" in fake_slack.ephemerals[0]["text"]


def test_reused_state_is_refused(client, rt, fake_graph):
    state = parse_qs(urlsplit(open_connect(client, connect_url(client))).query)["state"][0]
    assert oauth_callback(client, code=fake_graph.consent(), state=state).status_code == 200
    start_state_again = client.get("https://metaops.example.test/meta/oauth/start", query_string={"state": state})
    assert start_state_again.status_code == 400 and b"used already" in start_state_again.data
    again = oauth_callback(client, code=fake_graph.consent(), state=state)
    assert again.status_code == 400 and b"used already" in again.data


def test_failed_code_exchange_stores_nothing(client, rt, fake_slack):
    state = parse_qs(urlsplit(open_connect(client, connect_url(client))).query)["state"][0]
    r = oauth_callback(client, code="NOT-A-CODE", state=state)
    assert r.status_code == 400 and _connection(rt) is None
    assert "authorization code has been used" in fake_slack.ephemerals[0]["text"]


def test_refresh_disconnect_and_whatsapp(client, rt, fake_slack, fake_graph):
    connect(client, fake_graph)
    before = rt.crypto.decrypt(_connection(rt).token_enc)
    assert "refreshed" in later(client, fake_slack, "refresh")["text"]
    assert rt.crypto.decrypt(_connection(rt).token_enc) != before

    fake_slack.reset()
    info = later(client, fake_slack, "whatsapp", user="U_MEMBER")["text"]
    assert "+1 555-078-3881" in info and "GREEN" in info and "We sell jackets" in info and WABA in info

    assert "disconnected" in slash_command(client, "disconnect", user="U_ADMIN").get_json()["text"]
    assert _connection(rt) is None
    assert "not connected" in slash_command(client, "status").get_json()["text"]


def test_token_rejected_mid_use_marks_the_connection_and_alerts(client, rt, fake_slack, fake_graph):
    connect(client, fake_graph)
    token = rt.crypto.decrypt(_connection(rt).token_enc)
    fake_graph.tokens[token]["expires"] = int(time.time()) - 1
    fake_slack.reset()
    answer = later(client, fake_slack, "whatsapp")["text"]
    assert "expired" in answer and "/meta connect" in answer
    assert _connection(rt).status == "expired"
    assert any("expired" in m["text"] and m["channel"] == "C_CONNECT" for m in fake_slack.messages)
    assert "expired" in slash_command(client, "status").get_json()["text"]


def _expire_in(rt, fake_graph, days: float) -> str:
    token = rt.crypto.decrypt(_connection(rt).token_enc)
    fake_graph.tokens[token]["expires"] = int(time.time() + days * 24 * 3600)
    return token


def test_expiry_alerts_at_seven_and_one_days_once_each(client, rt, fake_slack, fake_graph):
    connect(client, fake_graph)
    fake_graph.exchange = "same"  # Meta will not extend this token
    _expire_in(rt, fake_graph, 6.5)
    fake_slack.reset()

    assert connections.check_tokens(rt) == 1
    assert "expires in 6 day" in fake_slack.messages[-1]["text"] and "/meta connect" in fake_slack.messages[-1]["text"]
    assert fake_slack.messages[-1]["channel"] == "C_CONNECT"
    assert connections.check_tokens(rt) == 0  # the 7-day alert went out already

    rt.now = lambda: utcnow() + timedelta(days=6)
    assert connections.check_tokens(rt) == 1  # half a day left now
    assert "expires in 0 day" in fake_slack.messages[-1]["text"]
    assert connections.check_tokens(rt) == 0
    assert _connection(rt).status == "active"


def test_failed_refresh_alerts(client, rt, fake_slack, fake_graph):
    connect(client, fake_graph)
    fake_graph.exchange = "error"
    _expire_in(rt, fake_graph, 3)
    fake_slack.reset()
    assert connections.check_tokens(rt) == 1
    assert "Refreshing the Meta token failed" in fake_slack.messages[-1]["text"]
    assert "Invalid parameter" in fake_slack.messages[-1]["text"]


def test_token_meta_no_longer_accepts_is_marked_at_the_daily_check(client, rt, fake_slack, fake_graph):
    connect(client, fake_graph)
    _expire_in(rt, fake_graph, -1)
    fake_slack.reset()
    assert connections.check_tokens(rt) == 1
    assert _connection(rt).status == "expired"
    assert "expired" in fake_slack.messages[-1]["text"]


def test_token_near_expiry_is_refreshed_without_alert(client, rt, fake_slack, fake_graph):
    connect(client, fake_graph)
    token = _expire_in(rt, fake_graph, 3)
    fake_slack.reset()
    assert connections.check_tokens(rt) == 0
    assert rt.crypto.decrypt(_connection(rt).token_enc) != token and fake_slack.messages == []


@pytest.mark.both_databases  # each database's own storage searched for the tokens
def test_no_token_is_stored_in_plaintext(client, rt, fake_graph, database_url):
    connect(client, fake_graph)
    tokens = [t for t in fake_graph.tokens]
    with rt.db.engine.connect() as conn:
        dump = " ".join(str(v) for table in ("meta_connections", "pages")
                        for row in conn.execute(text(f"SELECT * FROM {table}")) for v in row)
    assert not any(t in dump for t in tokens)
    if database_url.startswith("sqlite:///"):
        rt.db.dispose()
        raw = b"".join(p.read_bytes() for p in Path(database_url[10:]).parent.glob("metaops.db*"))
        assert not any(t.encode() in raw for t in tokens)


def test_assets_another_workspace_connected_stay_there(client, rt, fake_slack, fake_graph):
    connect(client, fake_graph)  # T1 has the WABA and the Pages
    from metaops.assets import connections as conns

    who_t2 = {"team_id": "T2", "user_id": "U_ADMIN", "channel_id": "C_T2"}
    state, code = conns.state_store(rt).issue(**who_t2)
    start_state(client, state, code)
    fake_slack.reset()
    r = oauth_callback(client, code=fake_graph.consent(), state=state)
    assert r.status_code == 200
    with rt.db.session() as s:
        assert s.get(WhatsAppAccount, WABA).team_id == "T1"
        assert {p.team_id for p in s.scalars(select(Page))} == {"T1"}
    summary = fake_slack.messages[-1]["text"]
    assert "another Slack workspace" in summary


def test_a_forwarded_dialog_link_is_refused_in_another_browser(client, rt, fake_slack, fake_graph):
    """The admin opens the button; the dialog link it leads to, forwarded to someone else, attaches nothing."""
    dialog = open_connect(client, connect_url(client))
    state = parse_qs(urlsplit(dialog).query)["state"][0]
    victim = client.application.test_client()  # another browser: no cookie of ours
    fake_slack.reset()
    r = oauth_callback(victim, code=fake_graph.consent(), state=state)
    assert r.status_code == 400 and b"did not start this connection" in r.data
    shown = re.sub(rb'nonce="[^"]*"', b"", r.data)  # the style's random nonce may spell "T1" by chance
    for secretish in (b"T1", b"U_ADMIN", b"C_CONNECT", b"expired", b"used already"):
        assert secretish not in shown
    assert _connection(rt) is None and fake_slack.messages == []
    [told] = fake_slack.ephemerals  # the member who asked, in Slack only
    assert told["user"] == "U_ADMIN" and told["channel"] == "C_CONNECT" and "did not type" in told["text"]
    # A cookie of the right name but another value is no better (and does not ping the member again).
    victim.set_cookie(connections.oauth.browser_cookie(state), "guessed", domain="metaops.example.test",
                      path="/meta/oauth/")
    assert oauth_callback(victim, code=fake_graph.consent(), state=state).status_code == 400
    assert _connection(rt) is None and len(fake_slack.ephemerals) == 1
    # The browser that started it still can finish.
    assert oauth_callback(client, code=fake_graph.consent(), state=state).status_code == 200
    assert _connection(rt).team_id == "T1"


def test_a_forwarded_button_link_works_in_one_browser_only(client, rt, fake_slack, fake_graph):
    button = connect_url(client)
    state = parse_qs(urlsplit(button).query)["state"][0]
    open_connect(client, button)
    other = client.application.test_client()
    r = other.get(button)
    assert r.status_code == 400 and b"already opened in another browser" in r.data
    assert "Set-Cookie" not in r.headers and "Location" not in r.headers
    # Even with the code (used already): nothing.
    r = other.post(button, data={"state": state, "code": CODES[state]})
    assert r.status_code == 400 and "Set-Cookie" not in r.headers and "Location" not in r.headers
    [told] = fake_slack.ephemerals
    assert told["user"] == "U_ADMIN" and "second browser" in told["text"]
    assert oauth_callback(other, code=fake_graph.consent(), state=state).status_code == 400
    assert _connection(rt) is None


def test_two_connect_buttons_in_one_browser_each_work(client, rt, fake_graph):
    first = parse_qs(urlsplit(open_connect(client, connect_url(client))).query)["state"][0]
    second = parse_qs(urlsplit(open_connect(client, connect_url(client, channel="C_OTHER"))).query)["state"][0]
    assert oauth_callback(client, code=fake_graph.consent(), state=first).status_code == 200
    assert oauth_callback(client, code=fake_graph.consent(), state=second).status_code == 200
    assert _connection(rt).channel_id == "C_OTHER"


def test_forged_state_is_refused_at_the_start(client):
    forged = Fernet(Fernet.generate_key()).encrypt(b'{"t":"T1","u":"U_ADMIN","c":"C1","n":"x"}').decode()
    for state in (forged, "garbage", ""):
        r = client.get("https://metaops.example.test/meta/oauth/start", query_string={"state": state})
        assert r.status_code == 400 and b"not valid" in r.data and "Set-Cookie" not in r.headers


def test_no_token_ever_travels_in_a_url(client, rt, fake_graph):
    """debug_token (connect and the daily check) sends the token it inspects in a POST body, never a URL."""
    connect(client, fake_graph)
    connections.check_tokens(rt)
    inspected = [c for c in fake_graph.calls if "batch" in c.params and "debug_token" in c.params["batch"]]
    assert len(inspected) >= 2 and all(c.method == "POST" for c in inspected)
    tokens = set(fake_graph.tokens) | {f"{APP_ID}|{fake_graph.app_secret}"}
    for call in fake_graph.calls:
        assert not any(t in str(v) for t in tokens for v in call.query.values()), call.path
        assert "input_token" not in call.query and "access_token" not in call.query


def test_the_graph_fake_refuses_a_token_in_the_url(rt, fake_graph):
    token = fake_graph.issue_token()
    with pytest.raises(GraphError) as refused:
        rt.graph.get("debug_token", rt.graph.app_token, input_token=token)
    assert "in the URL" in refused.value.message
    assert oauth.debug_token(rt.graph, token)["is_valid"] is True


def test_the_code_is_shown_only_to_the_member_who_asked(client, fake_slack):
    body = slash_command(client, "connect", user="U_ADMIN", channel="C_CONNECT").get_json()
    assert body.get("response_type", "ephemeral") == "ephemeral"
    [button] = body["blocks"][1]["elements"]
    code = shown_code(body["blocks"])
    assert len(code) == 6 and code.isdigit()
    assert code not in button["url"] and fake_slack.messages == []


def test_start_page_names_the_workspace_and_the_member_and_asks_for_the_code(client, rt):
    from store import workspaces

    with rt.db.session() as s:
        workspaces.ensure_workspace(s, "T1", "Acme <Support>")
    button = connect_url(client)
    page = client.get(button)
    assert page.status_code == 200
    html = page.data.decode()
    assert "Acme &lt;Support&gt;" in html and "<Support>" not in html  # autoescaped
    assert "Ada (U_ADMIN)" in html and 'name="code"' in html and "one-time code" in html
    assert CODES[state_of(button)] not in re.sub(r'nonce="[^"]*"', "", html)
    nonce = page.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'<style nonce="{nonce}">' in html


def test_a_wrong_code_is_refused_and_too_many_burn_the_state(client, rt, fake_slack, fake_graph):
    button = connect_url(client)
    state = state_of(button)
    right = CODES[state]
    wrong = "000000" if right != "000000" else "111111"
    for left in (4, 3, 2, 1):
        r = client.post(button, data={"state": state, "code": wrong})
        assert r.status_code == 400 and f"{left} tries left".encode() in r.data and b'name="code"' in r.data
        assert "Set-Cookie" not in r.headers and "Location" not in r.headers
        assert f"({left} tries left)" in fake_slack.ephemerals[-1]["text"]
    r = client.post(button, data={"state": state, "code": wrong})
    assert r.status_code == 400 and b"Too many wrong codes" in r.data and "Location" not in r.headers
    told = fake_slack.ephemerals[-1]
    assert told["user"] == "U_ADMIN" and "Too many wrong one-time codes" in told["text"]
    # Burnt: the right code, the page and the callback all connect nothing now.
    r = client.post(button, data={"state": state, "code": right})
    assert r.status_code == 400 and "Location" not in r.headers
    assert client.get(button).status_code == 400
    assert oauth_callback(client, code=fake_graph.consent(), state=state).status_code == 400
    assert _connection(rt) is None
    assert not [c for c in fake_graph.calls if c.path.endswith("oauth/access_token")]


def test_the_right_code_after_a_wrong_one_goes_on(client, rt, fake_graph):
    button = connect_url(client)
    state = state_of(button)
    r = client.post(button, data={"state": state, "code": "12"})
    assert r.status_code == 400
    dialog = open_connect(client, button)
    assert dialog.startswith(f"https://dialog.example.test/{VERSION}/dialog/oauth")
    assert oauth_callback(client, code=fake_graph.consent(), state=state).status_code == 200


def test_a_forwarded_link_without_the_code_connects_nothing_and_the_member_is_told(client, rt, fake_slack,
                                                                                   fake_graph):
    button = connect_url(client)  # the member got it; someone else got the link forwarded, not the code
    state = state_of(button)
    other = client.application.test_client()
    page = other.get(button)
    assert page.status_code == 200 and b'name="code"' in page.data and "Set-Cookie" not in page.headers
    r = other.post(button, data={"state": state, "code": ""})
    assert r.status_code == 400 and "Location" not in r.headers and "Set-Cookie" not in r.headers
    # Meta's dialog built by hand from the link's state: the callback refuses this browser.
    r = oauth_callback(other, code=fake_graph.consent(), state=state)
    assert r.status_code == 400 and b"did not start this connection" in r.data
    assert _connection(rt) is None
    assert not [c for c in fake_graph.calls if c.path.endswith("oauth/access_token")]
    texts = [e["text"] for e in fake_slack.ephemerals if e["user"] == "U_ADMIN"]
    assert any("wrong one-time code" in t for t in texts) and any("did not type" in t for t in texts)
    assert fake_slack.messages == []
    # The member, in their own browser with the code, still connects (and only then is a code exchanged).
    open_connect(client, button)
    assert oauth_callback(client, code=fake_graph.consent(), state=state).status_code == 200
    assert [c for c in fake_graph.calls if c.path.endswith("oauth/access_token")]
