"""Slack's limits: every piece of a post fits, and nothing of a long text is lost or cut inside an escape."""

from __future__ import annotations

import json
import re

import pytest

from integrations.slack import blocks, limits
from integrations.slack.client import post_message
from integrations.slack.mrkdwn import escape


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _sections(messages: list[list[dict]]) -> list[str]:
    return [b["text"]["text"] for m in messages for b in m if b["type"] == "section"]


def test_section_text_over_3000_is_split_into_sections_that_join_back():
    text = ("word " * 1500).strip()
    messages = limits.fit_blocks([blocks.section(text)])
    parts = _sections(messages)
    assert len(parts) == 3 and all(len(p) <= limits.SECTION_TEXT for p in parts)
    assert "".join(parts) == text
    assert all(p.endswith(" ") for p in parts[:-1])  # split at a space, not inside a word


def test_split_prefers_a_newline():
    text = "a" * 2000 + "\n" + "b " * 600 + "c" * 500
    first, *_ = limits.split_mrkdwn(text)
    assert first == "a" * 2000 + "\n"  # a newline in the second half of the window wins over later spaces
    assert "".join(limits.split_mrkdwn(text)) == text


def test_split_at_the_last_newline_when_there_is_one_late_enough():
    text = "x" * 2500 + "\n" + "y" * 1000
    assert limits.split_mrkdwn(text) == ["x" * 2500 + "\n", "y" * 1000]


@pytest.mark.parametrize("entity", ["&amp;", "&lt;", "&gt;"])
@pytest.mark.parametrize("offset", range(6))
def test_split_never_inside_an_escape(entity, offset):
    # No space nor newline: the cut would fall exactly on the limit, which lies inside the entity.
    text = "x" * (limits.SECTION_TEXT - offset) + entity * 800
    parts = limits.split_mrkdwn(text)
    assert "".join(parts) == text and all(len(p) <= limits.SECTION_TEXT for p in parts)
    for p in parts:
        assert not re.search(r"&[a-z]{0,3}$", p), p[-8:]  # no piece ends in a partial entity
        assert not re.match(r"^[a-z]{1,3};", p), p[:8]  # nor starts with the rest of one


def test_split_escaped_customer_text_full_of_specials():
    original = "".join("&<>ab \n"[i % 7] for i in range(4096))
    parts = limits.split_mrkdwn(escape(original))
    assert all(len(p) <= limits.SECTION_TEXT for p in parts)
    assert _unescape("".join(parts)) == original
    assert all(_unescape(p).count("&") == p.count("&amp;") for p in parts)


def test_split_does_not_break_a_link_when_it_can_help_it():
    text = "y" * 2990 + " <https://example.com/very/long|link>"
    first, second = limits.split_mrkdwn(text)
    assert second.startswith("<https://") and first + second == text


def test_header_text_clipped_to_150():
    block = blocks.header("H" * 400)
    assert len(block["text"]["text"]) == limits.HEADER_TEXT and block["text"]["text"].endswith("…")
    [[fitted]] = limits.fit_blocks([{"type": "header", "text": {"type": "plain_text", "text": "h" * 200}}])
    assert len(fitted["text"]["text"]) <= limits.HEADER_TEXT


def test_button_text_clipped_to_75():
    button = blocks.button("B" * 200, "act")
    assert len(button["text"]["text"]) == limits.BUTTON_TEXT
    raw = {"type": "button", "action_id": "a", "text": {"type": "plain_text", "text": "b" * 100}}
    [[section, actions]] = limits.fit_blocks([blocks.section("s", accessory=raw), blocks.actions(raw)])
    assert len(section["accessory"]["text"]["text"]) <= limits.BUTTON_TEXT
    assert len(actions["elements"][0]["text"]["text"]) <= limits.BUTTON_TEXT


def test_context_at_most_10_elements():
    block = blocks.context_block(*(f"t{i}" for i in range(14)))
    assert len(block["elements"]) == limits.CONTEXT_ELEMENTS
    assert all(f"t{i}" in json.dumps(block) for i in range(14))  # the rest share the tenth
    raw = {"type": "context", "elements": [{"type": "mrkdwn", "text": f"e{i}"} for i in range(23)]}
    [fitted] = limits.fit_blocks([raw])
    assert [len(b["elements"]) for b in fitted] == [10, 10, 3]


def test_at_most_50_blocks_per_message():
    messages = limits.fit_blocks([blocks.section(f"line {i}") for i in range(120)])
    assert [len(m) for m in messages] == [50, 50, 20]
    assert [b["text"]["text"] for m in messages for b in m] == [f"line {i}" for i in range(120)]


def test_a_message_too_big_goes_on_in_the_next():
    messages = limits.fit_blocks([blocks.section("z" * 3000) for _ in range(10)])
    assert len(messages) > 1 and all(len(json.dumps(m)) <= limits.MESSAGE_BLOCKS_SIZE + 200 for m in messages)
    assert sum(len(m) for m in messages) == 10


def test_fallback_text_clipped_with_an_ellipsis_outside_escapes():
    text = "&amp;" * 2000
    clipped = limits.clip_mrkdwn(text, limits.FALLBACK_TEXT)
    assert len(clipped) <= limits.FALLBACK_TEXT and clipped.endswith("…")
    assert clipped[:-1] == "&amp;" * (len(clipped[:-1]) // 5)


class _Client:
    """A WebClient stand-in recording chat.postMessage calls."""

    def __init__(self) -> None:
        self.posts: list[dict] = []

    def chat_postMessage(self, **kwargs):  # noqa: N802 - WebClient's name
        self.posts.append(kwargs)
        return {"ts": f"1.{len(self.posts)}"}


def test_post_message_text_limit_and_follow_ups_in_the_thread_of_a_root():
    client = _Client()
    body = escape("".join("&<>&<>&<> x\n"[i % 12] for i in range(4096)))
    ts = post_message(client, "C1", "New message: " + body, [blocks.section(body)])  # type: ignore[arg-type]
    assert ts == "1.1" and len(client.posts) > 1
    assert "thread_ts" not in client.posts[0]
    assert all(p["thread_ts"] == "1.1" for p in client.posts[1:])
    assert all(len(p["text"]) <= limits.FALLBACK_TEXT for p in client.posts)
    assert client.posts[0]["text"].startswith("New message: ") and client.posts[0]["text"].endswith("…")
    assert "".join(b["text"]["text"] for p in client.posts for b in p["blocks"]) == body


def test_post_message_follow_ups_stay_in_the_given_thread():
    client = _Client()
    ts = post_message(client, "C1", "x", [blocks.section(f"{i}") for i in range(60)],  # type: ignore[arg-type]
                      thread_ts="9.9")
    assert ts == "1.1" and [p["thread_ts"] for p in client.posts] == ["9.9", "9.9"]


def test_post_message_long_plain_text_becomes_sections():
    client = _Client()
    text = "w " * 5000
    post_message(client, "C1", text)  # type: ignore[arg-type]
    assert "".join(b["text"]["text"] for p in client.posts for b in p["blocks"]) == text
    assert all(len(p["text"]) <= limits.FALLBACK_TEXT for p in client.posts)


def test_short_posts_are_unchanged():
    client = _Client()
    post_message(client, "C1", "hi", [blocks.section("hi")])  # type: ignore[arg-type]
    assert client.posts == [{"channel": "C1", "text": "hi", "unfurl_links": False, "unfurl_media": False,
                             "blocks": [blocks.section("hi")]}]
