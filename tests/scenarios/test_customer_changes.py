"""A customer's change to a message the team already sees is shown on that message's post (chat.update), not as a
new post: edits (the new text under the old), deletions, reactions added and removed, on WhatsApp, Messenger and
Instagram, and a WhatsApp call's end on the post of its start. Unknown originals are said in the thread."""

from __future__ import annotations

import time

import pytest

from tests.helpers import fixture, post_webhook, run_worker, until_delivered
from tests.scenarios.test_notifications import deliver, routed  # noqa: F401 - routed is a fixture

pytestmark = pytest.mark.usefixtures("routed")


def _marks(post: dict) -> list[str]:
    return [b["elements"][0]["text"] for b in post["blocks"] if b["type"] == "context"
            and ":" in str(b.get("block_id"))]


def test_an_edit_updates_the_original_post(client, rt, fake_slack):
    deliver(client, rt, fixture("whatsapp/text.json"))
    deliver(client, rt, fixture("whatsapp/edit.json"))
    [post] = fake_slack.messages  # no new post
    edit = fake_slack.edits[-1]  # the first: the root's reply window line
    assert edit["ts"] == post["ts"] and "Where is my order?" in post["blocks"][0]["text"]["text"]
    assert _marks(post) == [":pencil2: Edited <!date^1700000100^{date_short_pretty} {time}|2023-11-14 22:15 UTC>: "
                            "Where is my order #42?"]
    deliver(client, rt, fixture("whatsapp/edit.json", id="wamid.edit2",
                                edit={"message": {"text": {"body": "Never mind"}}}))
    [latest] = _marks(fake_slack.messages[0])  # an edit replaces the one before
    assert latest.endswith("UTC>: Never mind")


def test_a_deletion_and_a_reaction_mark_the_original(client, rt, fake_slack):
    deliver(client, rt, fixture("whatsapp/text.json"))
    deliver(client, rt, fixture("whatsapp/reaction.json", reaction={"message_id": "wamid.text"}))
    deliver(client, rt, fixture("whatsapp/revoke.json"))
    [post] = fake_slack.messages
    assert [m.split(" <!date")[0] for m in _marks(post)] == ["Reacted ❤️", ":wastebasket: Deleted by the customer"]
    removed = fixture("whatsapp/reaction_removed.json", id="wamid.unreact", reaction={"message_id": "wamid.text"})
    deliver(client, rt, removed)
    assert [m.split(" <!date")[0] for m in _marks(fake_slack.messages[0])] == [":wastebasket: Deleted by the customer"]
    assert len(fake_slack.messages) == 1


def test_the_thread_root_keeps_its_reply_window_line(client, rt, fake_slack):
    deliver(client, rt, fixture("whatsapp/text.json"))
    deliver(client, rt, fixture("whatsapp/revoke.json"))
    ids = [b.get("block_id") for b in fake_slack.messages[0]["blocks"]]
    assert "reply_window" in ids and any(str(i).endswith(":deleted") for i in ids)


def test_a_reaction_to_a_message_not_in_slack_is_said_in_the_thread(client, rt, fake_slack):
    deliver(client, rt, fixture("whatsapp/text.json"))
    deliver(client, rt, fixture("whatsapp/reaction.json"))  # to the business's own message
    root, said = fake_slack.messages
    assert said["thread_ts"] == root["ts"] and "Reaction ❤️ added" in said["text"]


def test_a_call_end_updates_the_post_of_its_start(client, rt, fake_slack):
    deliver(client, rt, fixture("whatsapp/call_connect.json"))
    deliver(client, rt, fixture("whatsapp/call_terminate.json"))
    [post] = fake_slack.messages
    assert "Incoming WhatsApp call" in post["text"]
    assert _marks(post) == [":telephone_receiver: Call answered, 2 min 13 s"]


def test_a_missed_call_without_its_start_is_posted(client, rt, fake_slack):
    deliver(client, rt, fixture("whatsapp/call_terminate.json", id="wacid.other", status="FAILED", duration=None))
    [post] = fake_slack.messages
    assert post["text"] == "Jane Doe +15551234567: :telephone_receiver: Missed WhatsApp call"


def test_messenger_edits_and_reactions_update_the_message(client, rt, fake_slack):
    deliver(client, rt, fixture("page/message.json"))
    deliver(client, rt, fixture("page/message_edit.json"))
    deliver(client, rt, fixture("page/reaction.json"))
    [post] = fake_slack.messages
    edited, reacted = _marks(post)
    assert edited.endswith("UTC>: Do you ship to Canada and the US?") and reacted == "Reacted ❤️"
    deliver(client, rt, fixture("page/reaction.json", reaction={"action": "unreact"}, timestamp=1700000200))
    assert len(_marks(fake_slack.messages[0])) == 1


def test_an_instagram_unsend_marks_the_message(client, rt, fake_slack):
    deliver(client, rt, fixture("instagram/message.json"))
    deliver(client, rt, fixture("instagram/message_deleted.json"))
    [post] = fake_slack.messages
    assert "Is this in stock?" in post["text"] and _marks(post)[0].startswith(":wastebasket: Deleted by the customer")


def test_a_message_in_a_joined_post_is_marked_in_its_own_block(client, rt, fake_slack):
    deliver(client, rt, fixture("whatsapp/text.json"))
    fake_slack.limit_channel("C_MSG", 1)
    for n in (1, 2, 3):
        post_webhook(client, fixture("whatsapp/text.json", f"more {n}", id=f"wamid.more{n}", timestamp=f"170000000{n}"))
    run_worker(rt)
    time.sleep(1.1)  # the 429 lapses: the three waiting messages go as one post
    until_delivered(rt)
    joined = fake_slack.messages[-1]
    assert joined["text"].endswith("3 messages")
    deliver(client, rt, fixture("whatsapp/revoke.json", id="wamid.revoke2",
                                revoke={"original_message_id": "wamid.more2"}))
    blocks = fake_slack.messages[-1]["blocks"]
    at = next(i for i, b in enumerate(blocks) if "more 2" in str(b))
    assert str(blocks[at + 1].get("block_id")).endswith(":deleted") and "more 3" in str(blocks[at + 2])
