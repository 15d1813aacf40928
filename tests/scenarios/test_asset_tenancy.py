"""Who holds a WhatsApp Business Account, Page or Instagram account when two Slack workspaces connect it, what
the daily check lets go, which token a Messenger or Instagram reply goes out with, and Slack Connect guests.
Two workspaces (T1, T2) connect through `/meta connect` and the OAuth callback against the Graph fake."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select, update

from metaops import messages
from metaops.assets import connections
from store import workspaces
from store.models import InstagramAccount, OutboundMessage, Page, ReplyOutbox, WebhookEvent, WhatsAppAccount
from tests.constants import WABA
from tests.helpers import (
    connect_page,
    connect_whatsapp,
    customer_thread,
    fixture,
    oauth_callback,
    open_connect,
    post_webhook,
    run_worker,
    shown_code,
    slack_event,
    slash_command,
    wa_message,
    wa_payload,
)

CHANNEL = {"T1": "C_ONE", "T2": "C_TWO"}
ADMIN = {"T1": "U_ADMIN", "T2": "U_ADMIN_T2"}  # an admin of each workspace (users.info names their own team)


def connect_as(client, fake_graph, team: str, fake_slack) -> None:
    """`/meta connect` by an admin of `team` in its channel, the button opened, Meta's redirect back."""
    fake_slack.users[ADMIN[team]] = {**fake_slack.users.get(ADMIN[team], {}), "name": "bo", "is_admin": True,
                                      "team_id": team}
    body = slash_command(client, "connect", user=ADMIN[team], team=team, channel=CHANNEL[team]).get_json()
    [button] = body["blocks"][1]["elements"]
    state = parse_qs(urlsplit(open_connect(client, button["url"], shown_code(body["blocks"]))).query)["state"][0]
    r = oauth_callback(client, code=fake_graph.consent(), state=state)
    assert r.status_code == 200 and b"Connected" in r.data


def holders(rt) -> dict[str, str]:
    with rt.db.session() as s:
        return {row.id: row.team_id for model in (WhatsAppAccount, Page, InstagramAccount)
                for row in s.scalars(select(model))}


def posts_in(fake_slack, channel: str) -> list[str]:
    return [m["text"] for m in fake_slack.messages if m["channel"] == channel]


def customer_writes(client, rt, text: str = "Is the jacket in stock?") -> None:
    post_webhook(client, wa_payload([wa_message(f"wamid.{abs(hash(text))}", "15551234567", text)]))
    run_worker(rt)


def test_an_asset_the_holder_no_longer_reaches_moves_and_the_holder_is_told(client, rt, fake_slack, fake_graph):
    connect_as(client, fake_graph, "T1", fake_slack)
    holder_token = connections.token_of(rt, "T1")
    fake_graph.no_access |= {(holder_token, WABA), (holder_token, "PAGE1")}  # T1's Meta user lost both
    fake_slack.reset()

    connect_as(client, fake_graph, "T2", fake_slack)

    held = holders(rt)
    assert held[WABA] == "T2" and held["PAGE1"] == "T2" and held["IG1"] == "T2"  # the account follows its Page
    assert held["PAGE2"] == "T1" and held["PAGE3"] == "T1"  # T1 still reaches these: they stay
    with rt.db.session() as s:
        assert s.get(Page, "PAGE1").connected is False  # arrives like a Page found for the first time
        assert s.get(WhatsAppAccount, WABA).connection.team_id == "T2"
    alerts = posts_in(fake_slack, CHANNEL["T1"])  # the old holder's alerts channel: one note per asset
    assert sorted(a.split(" moved to another Slack workspace")[0] for a in alerts) == [
        ":arrow_right: Page Acme Page 1", ":arrow_right: WhatsApp Business Account Acme Support"]
    [summary] = posts_in(fake_slack, CHANNEL["T2"])
    assert "Moved here: WhatsApp Business Account Acme Support" in summary
    assert "Moved here: Page Acme Page 1" in summary
    assert "Page Acme Page 2: another Slack workspace (T1) has it connected" in summary


def test_customer_messages_go_only_to_the_current_holder(client, rt, fake_slack, fake_graph):
    connect_as(client, fake_graph, "T1", fake_slack)
    customer_writes(client, rt, "before the move")
    assert [t for t in posts_in(fake_slack, CHANNEL["T1"]) if "before the move" in t]

    fake_graph.no_access.add((connections.token_of(rt, "T1"), WABA))
    connect_as(client, fake_graph, "T2", fake_slack)
    fake_slack.reset()
    customer_writes(client, rt, "after the move")
    assert [t for t in posts_in(fake_slack, CHANNEL["T2"]) if "after the move" in t]
    assert not any("after the move" in t for t in posts_in(fake_slack, CHANNEL["T1"]))


def test_a_holder_that_still_reaches_the_asset_keeps_it_and_is_named(client, rt, fake_slack, fake_graph):
    connect_as(client, fake_graph, "T1", fake_slack)
    fake_slack.reset()
    connect_as(client, fake_graph, "T2", fake_slack)

    assert set(holders(rt).values()) == {"T1"}
    assert posts_in(fake_slack, CHANNEL["T1"]) == []  # nothing moved: the holder hears nothing
    [summary] = posts_in(fake_slack, CHANNEL["T2"])
    assert "Moved here" not in summary
    kept = [line for line in summary.splitlines() if "WhatsApp Business Account Acme Support" in line]
    assert len(kept) == 1 and "Left out" in kept[0] and "another Slack workspace (T1) has it connected" in kept[0]
    assert "Ada Admin" in kept[0] and "U_ADMIN" in kept[0]  # who connected it there: the person to ask
    assert "Pages:" not in summary and "Instagram:" not in summary  # all three Pages stay with T1
    fake_slack.reset()
    customer_writes(client, rt, "still for T1")
    assert [t for t in posts_in(fake_slack, CHANNEL["T1"]) if "still for T1" in t]
    assert posts_in(fake_slack, CHANNEL["T2"]) == []


def test_a_holder_whose_token_no_longer_works_reaches_nothing(client, rt, fake_slack, fake_graph):
    connect_as(client, fake_graph, "T1", fake_slack)
    fake_graph.tokens.pop(connections.token_of(rt, "T1"))  # revoked at Meta
    connect_as(client, fake_graph, "T2", fake_slack)
    assert set(holders(rt).values()) == {"T2"}


def test_the_daily_check_lets_go_of_what_the_connection_no_longer_reaches(client, rt, fake_slack, fake_graph):
    connect_as(client, fake_graph, "T1", fake_slack)
    with rt.db.session() as s:
        s.execute(update(Page).where(Page.id == "PAGE1").values(connected=True))
        s.execute(update(InstagramAccount).where(InstagramAccount.id == "IG1").values(connected=True))
    assert connections.check_tokens(rt) == 0  # everything still reached: nothing let go
    assert len(holders(rt)) == 5

    token = connections.token_of(rt, "T1")
    fake_graph.no_access |= {(token, WABA), (token, "PAGE1"), (token, "PAGE3")}
    fake_slack.reset()
    assert connections.check_tokens(rt) == 2  # the WABA and the connected Page; PAGE3 routed nothing
    assert set(holders(rt)) == {"PAGE2"}  # IG1 went with its Page
    alerts = posts_in(fake_slack, CHANNEL["T1"])
    assert len(alerts) == 2 and all("was let go" in a for a in alerts)
    assert workspaces.owner_of(rt.db.engine, WABA) is None

    fake_slack.reset()
    customer_writes(client, rt, "nobody holds this now")
    assert fake_slack.messages == []
    with rt.db.session() as s:
        assert s.scalars(select(WebhookEvent.unrouted)).all()[-1] == 1  # kept and counted
    assert connections.check_tokens(rt) == 0


def test_the_daily_check_keeps_what_meta_could_not_answer_for(client, rt, fake_slack, fake_graph):
    from tests.fakes.meta_graph import graph_error

    connect_as(client, fake_graph, "T1", fake_slack)
    rt.graph.sleep = lambda seconds: None  # the client's backoff between its tries
    fake_graph.fail_next(f"/v26.0/{WABA}", graph_error(4, "Application request limit reached", 400),
                         times=rt.graph.attempts)
    fake_slack.reset()
    assert connections.check_tokens(rt) == 0
    assert holders(rt)[WABA] == "T1" and fake_slack.messages == []
    assert connections.check_tokens(rt) == 0  # asked again the next time, and reached


def test_the_daily_check_skips_assets_of_a_connection_whose_token_broke(client, rt, fake_slack, fake_graph):
    connect_as(client, fake_graph, "T1", fake_slack)
    fake_graph.tokens.pop(connections.token_of(rt, "T1"))
    assert connections.check_tokens(rt) == 1  # the token alert; its assets wait for a new connection
    assert len(holders(rt)) == 5


# Replies through a Page: the thread's own workspace's connected Page, never another's token.

def _messenger_thread(client, rt, fake_slack, fake_graph, payload) -> str:
    connect_whatsapp(rt, team="T1", channel="C_ONE", token=fake_graph.issue_token())
    connect_page(rt, fake_graph.issue_token("page", expires_in=0), team="T1")
    post_webhook(client, payload)
    run_worker(rt)
    [root] = fake_slack.messages
    fake_slack.reset()
    return str(root["ts"])


def _team_b_takes_page1(rt, fake_graph) -> None:
    """T2 now holds PAGE1 (and IG1), with a page token of its own."""
    connect_whatsapp(rt, team="T2", channel="C_TWO", waba="WABA_B", phone_id="PHONE_B",
                     token=fake_graph.issue_token())
    with rt.db.session() as s:
        conn = workspaces.connection_of(s, "T2")
        page = s.get(Page, "PAGE1")
        page.connection, page.team_id = conn, "T2"
        page.token_enc = rt.crypto.encrypt(fake_graph.issue_token("page", expires_in=0))
        s.get(InstagramAccount, "IG1").team_id = "T2"


def _reply(client, root: str, ts: str = "1700000100.000300", **extra):
    return slack_event(client, {"type": "message", "channel": "C_ONE", "user": "U_ADMIN", "text": "We do!",
                                "ts": ts, "thread_ts": root, "team": "T1", **extra}, event_id=f"Ev{ts}")


@pytest.mark.parametrize("payload", ["page/message.json", "instagram/message.json"])
def test_a_reply_never_goes_out_with_another_workspaces_page_token(client, rt, fake_slack, fake_graph, payload):
    root = _messenger_thread(client, rt, fake_slack, fake_graph, fixture(payload))
    _team_b_takes_page1(rt, fake_graph)
    _reply(client, root)
    run_worker(rt)
    assert fake_graph.sent == []
    [note] = [m for m in fake_slack.messages if m.get("thread_ts") == root]
    assert "no longer connected here" in note["text"]


@pytest.mark.parametrize("payload", ["page/message.json", "instagram/message.json"])
def test_a_reply_through_a_page_no_longer_connected_is_not_sent(client, rt, fake_slack, fake_graph, payload):
    root = _messenger_thread(client, rt, fake_slack, fake_graph, fixture(payload))
    with rt.db.session() as s:
        s.execute(update(Page).where(Page.id == "PAGE1").values(connected=False))
    _reply(client, root)
    run_worker(rt)
    assert fake_graph.sent == []


def test_a_reply_through_the_threads_own_page_still_goes(client, rt, fake_slack, fake_graph):
    root = _messenger_thread(client, rt, fake_slack, fake_graph, fixture("instagram/message.json"))
    _reply(client, root)
    run_worker(rt)
    [sent] = fake_graph.sent
    assert sent["from"] == "PAGE1" and sent["to"] == "IGSID888"


# Slack Connect guests.

def test_a_guests_message_is_never_sent_and_the_thread_is_told_once(client, rt, fake_slack, fake_graph):
    root = customer_thread(client, rt, fake_slack, fake_graph)
    for ts in ("1700000100.000100", "1700000100.000200"):
        event = {"type": "message", "channel": "C_CONNECT", "user": "U_GUEST", "user_team": "T_OTHER",
                 "text": "I can answer that", "ts": ts, "thread_ts": root, "team": "T_OTHER"}
        assert slack_event(client, event, event_id=f"Ev{ts}").status_code == 200
    run_worker(rt)
    assert fake_graph.sent == []
    with rt.db.session() as s:
        assert s.scalars(select(ReplyOutbox)).all() == []
    [note] = fake_slack.messages
    assert note["thread_ts"] == root and note["text"] == messages.REPLY_GUEST

    member = {"type": "message", "channel": "C_CONNECT", "user": "U_ADMIN", "user_team": "T1", "text": "Yes, it is",
              "ts": "1700000100.000300", "thread_ts": root, "team": "T1"}
    slack_event(client, member, event_id="Ev3")
    run_worker(rt)
    assert [m["body"] for m in fake_graph.sent] == ["Yes, it is"]
    with rt.db.session() as s:
        assert len(s.scalars(select(OutboundMessage)).all()) == 1
