"""Tokens that do not expire: Embedded Signup (with META_CONFIG_ID) end to end against the Graph fake, a system
user's token pasted by an admin, and what the daily check and `/meta status` and `refresh` do with each kind."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from metaops import messages
from metaops.assets import connections, pasted_token
from store import workspaces
from store.models import MetaConnection
from tests.constants import PHONE_ID, WABA
from tests.helpers import CODES, connect_url, later, slash_command, state_of

CONFIG_ID = "987654321012345"
SIGNUP = "https://metaops.example.test/meta/oauth/signup"


@pytest.fixture
def config(config):
    return {**config, "META_CONFIG_ID": CONFIG_ID}


def signup_page(client) -> str:
    """`/meta connect`, the button opened and the code typed: Meta's signup page on our domain; its state."""
    url = connect_url(client)
    state = state_of(url)
    assert client.get(url).status_code == 200
    r = client.post(url, data={"state": state, "code": CODES[state]})
    assert r.status_code == 200, r.data
    page = r.data.decode()
    assert "FB.login" in page and f'config_id: "{CONFIG_ID}"' in page and 'version: "v4"' in page
    assert "WA_EMBEDDED_SIGNUP" in page and "response_type: \"code\"" in page
    csp = r.headers["Content-Security-Policy"]
    assert "https://connect.facebook.net" in csp and "form-action 'self'" in csp
    return state


def answer(fake_graph, state: str, **changes):
    return {"state": state, "code": fake_graph.signup(), "waba_id": WABA, "phone_number_id": PHONE_ID,
            "business_id": "BIZ1", "pin": "123456", **changes}


def connection(rt):
    with rt.db.session() as s:
        conn = workspaces.connection_of(s, "T1")
        return None if conn is None else (conn.token_kind, conn.token_expires_at, conn.status)


def checklist(fake_slack) -> str:
    """The checklist's header and its five steps (the connection's summary follows when it was stored)."""
    [post] = [m for m in fake_slack.messages if "Embedded Signup" in (m.get("text") or "")]
    return "\n".join(str(post["text"]).split("\n")[:6])


def test_embedded_signup_registers_subscribes_and_stores_a_business_token(client, rt, fake_slack, fake_graph):
    state = signup_page(client)
    r = client.post(SIGNUP, data=answer(fake_graph, state))
    assert r.status_code == 200, r.data
    assert fake_graph.registered == [PHONE_ID] and WABA in fake_graph.subscribed
    assert connection(rt) == ("business", None, "active")
    text = checklist(fake_slack)
    assert text.count(":white_check_mark:") == 5 and ":x:" not in text
    status = slash_command(client, "status", user="U_ADMIN").get_json()["text"]
    assert messages.TOKEN_KINDS["business"] in status
    assert later(client, fake_slack, "refresh")["text"].startswith("This connection's token")
    # the daily check: valid, does not expire: no refresh, no alert
    fake_graph.calls.clear()
    assert connections.check_tokens(rt) == 0
    assert not [c for c in fake_graph.calls if c.params.get("grant_type") == "fb_exchange_token"]
    # the same answer again: the state is used
    again = client.post(SIGNUP, data=answer(fake_graph, state))
    assert again.status_code == 400


def test_a_wrong_pin_is_shown_with_metas_error_and_the_rest_goes_on(client, rt, fake_slack, fake_graph):
    fake_graph.pins[PHONE_ID] = "654321"
    r = client.post(SIGNUP, data=answer(fake_graph, signup_page(client)))
    assert r.status_code == 200
    text = checklist(fake_slack)
    assert f":x: Register the number {PHONE_ID} for Cloud API: PIN mismatch" in text and "133005" in text
    assert text.count(":white_check_mark:") == 4 and fake_graph.registered == []
    assert connection(rt) == ("business", None, "active")


def test_a_bad_code_stores_nothing(client, rt, fake_slack, fake_graph):
    r = client.post(SIGNUP, data=answer(fake_graph, signup_page(client), code="ESCODE-forged"))
    assert r.status_code == 400
    text = checklist(fake_slack)
    assert ":x: Exchange the signup code" in text and "code 100/36009" in text and text.count(":heavy_minus_sign:") == 4
    assert connection(rt) is None and fake_graph.registered == []


def test_ids_the_token_cannot_see_store_nothing(client, rt, fake_slack, fake_graph):
    fake_graph.wabas["222333444"] = {"id": "222333444", "name": "Someone else's"}
    r = client.post(SIGNUP, data=answer(fake_graph, signup_page(client), waba_id="222333444"))
    assert r.status_code == 400
    text = checklist(fake_slack)
    assert ":x: The token reaches WhatsApp Business Account 222333444: the token Meta gave cannot see it" in text
    assert connection(rt) is None and fake_graph.registered == [] and "222333444" not in fake_graph.subscribed


def test_graph_failures_at_register_and_subscribe_are_each_shown(client, rt, fake_slack, fake_graph):
    from tests.fakes.meta_graph import graph_error

    fake_graph.fail_next(f"/v26.0/{WABA}/subscribed_apps", graph_error(200, "(#200) Permissions error", 403))
    r = client.post(SIGNUP, data=answer(fake_graph, signup_page(client), pin="12345x"))
    assert r.status_code == 400  # a PIN that is not 6 digits never reaches Meta
    fake_graph.calls.clear()
    r = client.post(SIGNUP, data=answer(fake_graph, signup_page(client)))
    text = checklist(fake_slack)
    assert ":x: Subscribe the app" in text and "Permissions error" in text
    assert connection(rt) == ("business", None, "active")


def test_forged_state_or_another_browser_or_a_cancelled_flow_connect_nothing(client, app, rt, fake_slack, fake_graph):
    assert client.post(SIGNUP, data=answer(fake_graph, "forged")).status_code == 400
    state = signup_page(client)
    other = app.test_client()  # a browser that never typed the code
    assert other.post(SIGNUP, data=answer(fake_graph, state)).status_code == 400
    state = signup_page(client)
    r = client.post(SIGNUP, data={"state": state, "error": "cancelled at PHONE_NUMBER_SETUP"})
    assert r.status_code == 400
    assert any("cancelled at PHONE_NUMBER_SETUP" in e["text"] for e in fake_slack.ephemerals)
    assert connection(rt) is None and not fake_graph.registered


@pytest.mark.parametrize(("make", "words"), [
    (lambda g: g.issue_token(), "this token expires"),
    (lambda g: g.system_user_token(app_id="5555"), "belongs to another Meta app (5555)"),
    (lambda g: g.system_user_token(scopes=["whatsapp_business_management"]), "lacks the permission(s) "
                                                                             "whatsapp_business_messaging"),
    (lambda g: g.system_user_token(wabas=set()), "no WhatsApp Business Account is assigned"),
    (lambda g: "EAAnot-a-token", "Meta says this token is not valid"),
])
def test_a_pasted_token_that_will_not_do_is_refused_with_one_line(rt, fake_graph, make, words):
    done = pasted_token.paste(rt, "T1", "U_ADMIN", "C_CONNECT", make(fake_graph))
    assert not done.ok and words in done.text and "\n" not in done.text
    with rt.db.session() as s:
        assert s.scalars(select(MetaConnection)).first() is None


def test_a_pasted_system_user_token_replaces_the_user_token(client, rt, fake_slack, fake_graph):
    from tests.helpers import connect_whatsapp

    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())  # as the login stores it
    assert connection(rt)[0] == "user"
    done = pasted_token.paste(rt, "T1", "U_ADMIN", "C_CONNECT", fake_graph.system_user_token())
    assert done.ok
    assert connection(rt) == ("system_user", None, "active")
    assert connections.check_tokens(rt) == 0
    status = slash_command(client, "status", user="U_ADMIN").get_json()["text"]
    assert messages.TOKEN_KINDS["system_user"] in status and "never" in status.lower()
