"""Pages and Instagram from Slack against the Graph fake: each command, the buttons (signed
block_actions), the post modal (signed view_submission), a Page not managed, a missing permission."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import select

from store.models import Page
from tests.helpers import connect, interact, later, run_worker, slash_command


@pytest.fixture
def connected(client, rt, fake_graph):
    assert connect(client, fake_graph).status_code == 200
    return rt


def click(client, fake_slack, button, user="U_ADMIN"):
    fake_slack.calls.clear()
    interact(client, {"type": "block_actions", "team": {"id": "T1"}, "user": {"id": user}, "api_app_id": "A1",
                      "response_url": fake_slack.url + "/response", "trigger_id": "1.2",
                      "channel": {"id": "C_CONNECT"}, "container": {"type": "message"},
                      "actions": [{**button, "block_id": "b", "action_ts": "1"}]})
    [answer] = fake_slack.responses()
    return answer


def test_pages_list_with_connect_buttons_then_connect(client, connected, fake_slack, fake_graph):
    answer = later(client, fake_slack, "pages", user="U_MEMBER")
    assert "Acme Page 1" in answer["text"] and "Retail" in answer["text"] and "300 followers" in answer["text"]
    buttons = [b["accessory"] for b in answer["blocks"] if "accessory" in b]
    assert [b["value"] for b in buttons] == ["PAGE1", "PAGE2", "PAGE3"]

    done = click(client, fake_slack, buttons[0])
    assert "Acme Page 1" in done["text"] and "connected" in done["text"]
    assert fake_graph.subscribed == ["PAGE1"]
    with connected.db.session() as s:
        assert s.get(Page, "PAGE1").connected and not s.get(Page, "PAGE2").connected
    again = later(client, fake_slack, "pages")
    assert [b["accessory"]["value"] for b in again["blocks"] if "accessory" in b] == ["PAGE2", "PAGE3"]


def test_page_connect_command_and_a_page_not_managed(client, connected, fake_slack, fake_graph):
    assert "connected" in later(client, fake_slack, "page connect PAGE2")["text"]
    refused = later(client, fake_slack, "page connect PAGE999")["text"]
    assert "does not manage `PAGE999`" in refused
    assert "Only workspace admins" in later(client, fake_slack, "page connect PAGE3", user="U_MEMBER")["text"]


def test_posts_default_page_paging_and_choice(client, connected, fake_slack, fake_graph):
    later(client, fake_slack, "page connect PAGE1")
    first = later(client, fake_slack, "posts")
    assert "Post number 1" in first["text"] and "1 reactions" in first["text"] and "2 comments" in first["text"]
    [nxt] = first["blocks"][-1]["elements"]
    second = click(client, fake_slack, nxt)
    assert second["replace_original"] is True and "Post number 6" in second["text"]
    assert [b["text"]["text"] for b in second["blocks"][-1]["elements"]] == ["Previous", "Next"]
    back = click(client, fake_slack, second["blocks"][-1]["elements"][0])
    assert "Post number 1" in back["text"]

    later(client, fake_slack, "page connect PAGE2")
    choose = later(client, fake_slack, "posts")["text"]
    assert "Several Pages" in choose and "PAGE1" in choose and "PAGE2" in choose
    assert "Post number" in later(client, fake_slack, "posts PAGE2")["text"]


def test_missing_permission_says_which_and_how(client, connected, fake_slack, fake_graph):
    later(client, fake_slack, "page connect PAGE1")
    fake_graph.granted.remove("pages_read_engagement")
    text = later(client, fake_slack, "posts")["text"]
    assert "`pages_read_engagement`" in text and "/meta connect" in text


def open_post_modal(client, fake_slack):
    slash_command(client, "post", user="U_ADMIN", channel="C_CONNECT")
    return fake_slack.views[-1]


def submit(client, view, page="PAGE1", message="New jackets are in!", link=None, when=None):
    values = {"page": {"value": {"type": "static_select", "selected_option": {"value": page}}},
              "message": {"value": {"type": "plain_text_input", "value": message}},
              "link": {"value": {"type": "url_text_input", "value": link}},
              "when": {"value": {"type": "datetimepicker", "selected_date_time": when}}}
    return interact(client, {"type": "view_submission", "team": {"id": "T1"}, "user": {"id": "U_ADMIN"},
                             "api_app_id": "A1", "view": {**view, "id": "V1", "state": {"values": values}}})


def test_post_modal_publishes_and_answers_with_the_link(client, connected, fake_slack, fake_graph):
    assert "Connect a Page first" in slash_command(client, "post", user="U_ADMIN").get_json()["text"]
    later(client, fake_slack, "page connect PAGE1")
    view = open_post_modal(client, fake_slack)
    assert [o["value"] for o in view["blocks"][0]["element"]["options"]] == ["PAGE1"]
    before = len(fake_graph.posts["PAGE1"])
    r = submit(client, view, link="https://acme.test/jackets")
    assert r.status_code == 200 and r.get_json()["response_action"] == "update"
    assert len(fake_graph.posts["PAGE1"]) == before  # published by the worker, after the ack
    run_worker(connected)
    new = fake_graph.posts["PAGE1"][0]
    assert new["message"] == "New jackets are in!"
    assert f"https://www.facebook.com/{new['id']}" in fake_slack.wait_for_ephemeral()["text"]


def test_post_scheduling_rules_and_metas_refusal(client, connected, fake_slack, fake_graph):
    later(client, fake_slack, "page connect PAGE1")
    view = open_post_modal(client, fake_slack)
    too_soon = submit(client, view, when=int(time.time()) + 60).get_json()
    assert too_soon["response_action"] == "errors" and "10 minutes" in too_soon["errors"]["when"]
    assert submit(client, view, link="ftp://nope").get_json()["response_action"] == "update"
    run_worker(connected)
    blocks = fake_slack.updates[-1]["view"]["blocks"]
    ids = [b.get("block_id") for b in blocks]
    assert ids.index("meta_error_link") == ids.index("link") + 1
    assert "Meta refused" in json.dumps(blocks[ids.index("meta_error_link")])
    assert blocks[ids.index("link")]["element"]["initial_value"] == "ftp://nope"
    r = submit(client, view, when=int(time.time()) + 3600)  # corrected: the same view may be sent again
    assert r.status_code == 200 and r.get_json()["response_action"] == "update"
    run_worker(connected)
    assert fake_graph.posts["PAGE1"][0]["scheduled"] and "Scheduled" in fake_slack.wait_for_ephemeral()["text"]


def test_instagram_accounts_connect_and_media(client, connected, fake_slack, fake_graph):
    assert "No Instagram account" in later(client, fake_slack, "instagram")["text"]
    later(client, fake_slack, "page connect PAGE1")
    answer = later(client, fake_slack, "instagram")
    assert "@acme" in answer["text"] and "1200 followers" in answer["text"] and "87 media" in answer["text"]
    [button] = [b["accessory"] for b in answer["blocks"] if "accessory" in b]
    assert "@acme" in click(client, fake_slack, button)["text"]
    media = later(client, fake_slack, "media")
    assert "Photo 1" in media["text"] and "IMAGE" in media["text"] and "1 likes" in media["text"]
    [nxt] = media["blocks"][-1]["elements"]
    assert "Photo 6" in click(client, fake_slack, nxt)["text"]
    assert "does not manage" in later(client, fake_slack, "instagram connect IG404")["text"]


def test_connected_page_messages_now_reach_slack(client, connected, fake_slack, fake_graph):
    from tests.helpers import post_webhook, run_worker

    later(client, fake_slack, "page connect PAGE1")
    fake_slack.reset()
    post_webhook(client, {"object": "page", "entry": [{"id": "PAGE1", "messaging": [{
        "sender": {"id": "PSID1"}, "recipient": {"id": "PAGE1"}, "timestamp": 1,
        "message": {"mid": "m_x", "text": "hello page"}}]}]})
    post_webhook(client, {"object": "page", "entry": [{"id": "PAGE2", "messaging": [{
        "sender": {"id": "PSID1"}, "recipient": {"id": "PAGE2"}, "timestamp": 1,
        "message": {"mid": "m_y", "text": "not connected"}}]}]})
    run_worker(connected)
    assert [m["text"].split(": ", 1)[1] for m in fake_slack.messages] == ["hello page"]
    with connected.db.session() as s:
        assert json.dumps(s.scalars(select(Page.id).where(Page.connected.is_(True))).all()) == '["PAGE1"]'
