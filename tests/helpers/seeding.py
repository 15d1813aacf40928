"""What a test starts from: connections stored as `/meta connect` stores them, the connect flow through
Slack, our start endpoint and Meta's OAuth redirect, and a customer thread that exists."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from metaops.runtime import Runtime
from store import workspaces
from store.models import MetaConnection
from tests.constants import DISPLAY, PHONE_ID, WABA
from tests.helpers.meta import post_webhook, wa_message, wa_payload
from tests.helpers.slack import slash_command
from tests.helpers.workers import run_worker


def connect_whatsapp(rt: Runtime, team: str = "T1", channel: str = "C1", waba: str = WABA,
                     phone_id: str = PHONE_ID, token: str = "EAAtest-user-token") -> None:
    """Store what /meta connect stores for one WhatsApp Business Account."""
    with rt.db.session() as s:
        ws = workspaces.ensure_workspace(s, team, "Test team")
        ws.connect_channel = channel
        conn = MetaConnection(team_id=team, meta_user_id="10001", meta_user_name="Test Admin",
                              token_enc=rt.crypto.encrypt(token), permissions=["whatsapp_business_messaging"],
                              connected_by="U1", channel_id=channel)
        s.add(conn)
        s.flush()
        workspaces.add_whatsapp_account(s, conn, waba, "Test WABA", [
            {"id": phone_id, "display_phone_number": DISPLAY, "verified_name": "Test Co", "quality_rating": "GREEN"}])


def connect_page(rt: Runtime, token: str, team: str = "T1", page_id: str = "PAGE1", name: str = "Acme Page 1",
                 ig_id: str | None = "IG1", ig_username: str = "acme") -> None:
    """Store a connected Page (with its page token) and its Instagram account, as /meta page connect does."""
    from store.models import InstagramAccount, Page

    with rt.db.session() as s:
        conn = workspaces.connection_of(s, team)
        page = Page(id=page_id, connection=conn, team_id=team, name=name, category="Retail",
                    token_enc=rt.crypto.encrypt(token), connected=True)
        s.add(page)
        if ig_id:
            s.add(InstagramAccount(id=ig_id, page=page, team_id=team, username=ig_username, name="Acme",
                                   connected=True))


# The one-time code each connect state came with, as Slack showed it to the member who asked (by state).
CODES: dict[str, str] = {}
CODE = re.compile(r"one-time code: \*(\d+)\*")


def state_of(url: str) -> str:
    """The state in a Connect button's URL or Meta's dialog URL."""
    return parse_qs(urlsplit(url).query)["state"][0]


def shown_code(blocks: list[dict[str, Any]]) -> str:
    """The one-time code in `/meta connect`'s answer (or the Home tab's modal)."""
    [code] = [m.group(1) for b in blocks if b.get("type") == "section"
              for m in [CODE.search(str((b.get("text") or {}).get("text")))] if m]
    return code


def connect_url(client: Any, user: str = "U_ADMIN", channel: str = "C_CONNECT") -> str:
    """The "Connect" button's URL (our start page, then Meta's login dialog) that `/meta connect` answers
    with; the one-time code shown with it is kept in CODES for `open_connect`."""
    body = slash_command(client, "connect", user=user, channel=channel).get_json()
    [button] = body["blocks"][1]["elements"]
    CODES[state_of(button["url"])] = shown_code(body["blocks"])
    return str(button["url"])


def open_connect(client: Any, url: str, code: str | None = None) -> str:
    """Open the Connect button's URL in the test client's browser (it keeps cookies, like a browser): our start
    page asks for the one-time code; typing it (`code`, by default the one Slack showed with this state) sets
    the cookie that binds the state to this browser and redirects to Meta's dialog, returned."""
    page = client.get(url)
    assert page.status_code == 200 and b'name="code"' in page.data, page.data
    state = state_of(url)
    r = client.post(url, data={"state": state, "code": CODES[state] if code is None else code})
    assert r.status_code == 303, r.data
    return str(r.headers["Location"])


def start_state(client: Any, state: str, code: str | None = None) -> str:
    """Open our start page for `state` in the test client's browser and type its code; returns Meta's dialog
    URL."""
    return open_connect(client, "https://metaops.example.test/meta/oauth/start?" + urlencode({"state": state}),
                        code)


def oauth_callback(client: Any, **args: str) -> Any:
    """Meta's redirect back to our callback, in the test client's browser (with its cookies)."""
    return client.get("https://metaops.example.test/meta/oauth/callback", query_string=args)


def connect(client: Any, fake_graph: Any, user: str = "U_ADMIN", channel: str = "C_CONNECT") -> Any:
    """`/meta connect`, the button opened in this browser and the code typed, then Meta's redirect back to the
    OAuth callback with a consented code."""
    state = state_of(open_connect(client, connect_url(client, user, channel)))
    return oauth_callback(client, code=fake_graph.consent(), state=state)


def customer_thread(client: Any, rt: Runtime, fake_slack: Any, fake_graph: Any) -> str:
    """A WhatsApp customer wrote; their thread exists in #C_CONNECT. Returns its root ts (the Slack fake is
    reset after, so a test sees only what follows)."""
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    post_webhook(client, wa_payload([wa_message("wamid.IN1", "15551234567", "Hi, is it in stock?")]))
    run_worker(rt)
    [root] = fake_slack.messages
    fake_slack.reset()
    return str(root["ts"])


def messaging_thread(client: Any, rt: Runtime, fake_slack: Any, fake_graph: Any, text: str,
                     platform: str = "page") -> str:
    """A Messenger customer (PSID777 writing to PAGE1; `platform` "instagram": IGSID9 writing to IG1) wrote
    `text`; their thread exists in #C_CONNECT, where WhatsApp and the Page are connected. Returns its root ts
    (the Slack fake is reset after, so a test sees only what follows)."""
    account, sender, mid = ("IG1", "IGSID9", "m_ig") if platform == "instagram" else ("PAGE1", "PSID777", "m_in")
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    connect_page(rt, fake_graph.issue_token("page", expires_in=0))
    post_webhook(client, {"object": platform, "entry": [{"id": account, "time": 1, "messaging": [{
        "sender": {"id": sender}, "recipient": {"id": account}, "timestamp": 1,
        "message": {"mid": mid, "text": text}}]}]})
    run_worker(rt)
    [root] = fake_slack.messages
    fake_slack.reset()
    return str(root["ts"])
