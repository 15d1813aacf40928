"""A WhatsApp text at its 4,096-character maximum, full of what Slack's mrkdwn escapes, reaches Slack whole:
split over section blocks of at most 3,000 characters and, past one message's size, over replies in the thread."""

from __future__ import annotations

import json

from tests.helpers import connect_whatsapp, fixture, post_webhook, run_worker


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _blocks(post: dict) -> list[dict]:
    blocks = post.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else blocks


def test_a_4096_character_text_full_of_escapes_is_posted_whole(client, rt, fake_slack, fake_graph):
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    pattern = "&<>&<>&<>&<> R&D &amp;<b>\n"
    original = "".join(pattern[i % len(pattern)] for i in range(4096))
    assert len(original) == 4096

    assert post_webhook(client, fixture("whatsapp/text.json", text=original)).status_code == 200
    run_worker(rt)

    posts = fake_slack.messages
    root, *replies = posts
    assert replies, "the escaped text is too big for one message"
    assert "thread_ts" not in root and all(r["thread_ts"] == root["ts"] for r in replies)
    assert all(p["channel"] == "C_CONNECT" for p in posts)
    sections = [b["text"]["text"] for p in posts for b in _blocks(p) if b["type"] == "section"]
    assert len(sections) > 1 and all(len(s) <= 3000 for s in sections)
    assert all(len(_blocks(p)) <= 50 for p in posts)
    label, body = _unescape("".join(sections)).split("\n", 1)
    assert "Jane Doe" in label and body == original
    assert "Jane Doe" in root["text"] and len(root["text"]) <= 4000 and root["text"].endswith("…")


def test_the_fake_refuses_what_slack_refuses(rt, fake_slack):
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    from tests.fakes.slack_api import BOT_TOKEN

    web = WebClient(token=BOT_TOKEN, base_url=fake_slack.api_url)
    for blocks in ([{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}],
                   [{"type": "section", "text": {"type": "mrkdwn", "text": "x"}}] * 51):
        try:
            web.chat_postMessage(channel="C1", text="t", blocks=blocks)
        except SlackApiError as e:
            assert e.response["error"] == "invalid_blocks"
        else:
            raise AssertionError("accepted")
    assert fake_slack.messages == []
