"""Comment threads (issue 13, point 7): Facebook Page comments and Instagram comments grouped in one Slack thread
per post, the post's excerpt and link at its root; a team member's message there is a public reply to the latest
comment, or to the comment whose Reply button wrote it; Hide and Delete for admins. Signed Slack requests, the
real worker, the Slack and Graph fakes."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from metaops import messages
from metaops.assets import comments
from store.models import ContactThread
from tests.fakes.meta_graph import graph_error
from tests.helpers import connect_page, connect_whatsapp, fixture, interact, post_webhook, run_worker, slack_event

# Both databases: comment rows found and deleted by escaped LIKE prefixes (startswith), INSERT ... RETURNING, a retried
# comment on a unique key.
pytestmark = pytest.mark.both_databases

CHANNEL = "C_CONNECT"


@pytest.fixture
def page(client, rt, fake_slack, fake_graph):
    connect_whatsapp(rt, channel=CHANNEL, token=fake_graph.issue_token())
    connect_page(rt, fake_graph.issue_token("page", expires_in=0))
    return rt


def fb_comment(client: Any, fake_graph: Any, comment_id: str, post_id: str, text: str, **more: Any) -> None:
    fake_graph.add_comment(comment_id, "fb")
    assert post_webhook(client, fixture("page/feed_comment.json", comment_id=comment_id, post_id=post_id,
                                        message=text, **more)).status_code == 200


def ig_comment(client: Any, fake_graph: Any, comment_id: str, media_id: str, text: str) -> None:
    fake_graph.add_comment(comment_id, "ig")
    assert post_webhook(client, fixture("instagram/comment.json", id=comment_id, media={"id": media_id},
                                        text=text)).status_code == 200


def roots(fake_slack: Any) -> list[dict[str, Any]]:
    return [m for m in fake_slack.messages if not m.get("thread_ts")]


def in_thread(fake_slack: Any, root: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in fake_slack.messages if m.get("thread_ts") == root["ts"]]


def buttons(message: dict[str, Any]) -> dict[str, dict[str, Any]]:
    blocks = message["blocks"] if isinstance(message["blocks"], list) else json.loads(message["blocks"])
    return {e["action_id"]: e for b in blocks if b["type"] == "actions" for e in b["elements"]}


def member_reply(client: Any, root: dict[str, Any], text: str, ts: str = "1700000500.000100") -> None:
    assert slack_event(client, {"type": "message", "channel": CHANNEL, "user": "U_MEMBER", "text": text, "ts": ts,
                                "thread_ts": root["ts"], "team": "T1"}, event_id=f"Ev{ts}").status_code == 200


def press(client: Any, message: dict[str, Any], action_id: str, user: str, team: str = "T1",
          value: str | None = None) -> Any:
    value = value if value is not None else buttons(message)[action_id]["value"]
    return interact(client, {
        "type": "block_actions", "team": {"id": team}, "user": {"id": user, "team_id": team}, "api_app_id": "A1",
        "trigger_id": "1.2", "channel": {"id": CHANNEL}, "container": {"type": "message"},
        "message": {"ts": message["ts"], "thread_ts": message.get("thread_ts"), "text": message["text"],
                    "blocks": message["blocks"]},
        "actions": [{"action_id": action_id, "value": value,
                     "type": "button", "block_id": "b", "action_ts": "1"}]})


def wait(found: Callable[[], Any]) -> Any:
    """Bolt runs action listeners after the ack: wait for what they do."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if found():
            return found()
        time.sleep(0.02)
    raise AssertionError("the listener did not act")


def test_comments_on_one_post_share_one_thread_with_the_post_at_its_root(client, page, fake_slack, fake_graph):
    fb_comment(client, fake_graph, "PAGE1_3_c1", "PAGE1_3", "Love it!")
    fb_comment(client, fake_graph, "PAGE1_3_c2", "PAGE1_3", "Is it <b>on sale</b>?")
    fb_comment(client, fake_graph, "PAGE1_4_c1", "PAGE1_4", "Another post")
    run_worker(page)
    first, second = roots(fake_slack)
    assert "Post number 3" in first["text"] and "<https://www.facebook.com/PAGE1/posts/3|" in first["text"]
    assert "Post number 4" in second["text"] and "Acme Page 1" in first["text"]
    one, two = in_thread(fake_slack, first)
    assert "*Sam Doe* commented: Love it!" in one["text"]
    assert "&lt;b&gt;on sale&lt;/b&gt;" in two["text"]  # the customer's text is escaped
    assert set(buttons(one)) == {comments.REPLY_ACTION, comments.HIDE_ACTION, comments.DELETE_ACTION}
    assert "confirm" in buttons(one)[comments.DELETE_ACTION]  # Delete asks first
    [other] = in_thread(fake_slack, second)
    assert "Another post" in other["text"]
    posts = [c for c in fake_graph.calls if c.method == "GET" and c.path.endswith(("/PAGE1_3", "/PAGE1_4"))]
    assert len(posts) == 2  # each post read once, when its first comment came


def test_a_reply_in_the_thread_goes_under_the_latest_comment(client, page, fake_slack, fake_graph):
    fb_comment(client, fake_graph, "PAGE1_3_c1", "PAGE1_3", "First")
    fb_comment(client, fake_graph, "PAGE1_3_c2", "PAGE1_3", "Second")
    run_worker(page)
    [root] = roots(fake_slack)
    member_reply(client, root, "*Thanks* for asking!")
    run_worker(page)
    assert [(r["comment"], r["message"], r["kind"]) for r in fake_graph.comment_replies] == \
        [("PAGE1_3_c2", "Thanks for asking!", "fb")]
    assert [r["name"] for r in fake_slack.reactions] == ["white_check_mark"]
    assert fake_graph.sent == []  # not a Messenger message
    # Meta reports our own reply as a comment by the Page: it is in the thread already, not posted again
    [sent] = fake_graph.comment_replies
    before = len(fake_slack.messages)
    fb_comment(client, fake_graph, sent["id"], "PAGE1_3", "Thanks for asking!", parent_id="PAGE1_3_c2",
               **{"from": {"id": "PAGE1", "name": "Acme Page 1"}})
    run_worker(page)
    assert len(fake_slack.messages) == before


def test_a_reply_to_a_reply_goes_under_its_top_level_comment(client, page, fake_slack, fake_graph):
    fb_comment(client, fake_graph, "PAGE1_3_c1", "PAGE1_3", "Question")
    fb_comment(client, fake_graph, "PAGE1_3_c2", "PAGE1_3", "Me too", parent_id="PAGE1_3_c1")
    run_worker(page)
    [root] = roots(fake_slack)
    member_reply(client, root, "Answered")
    run_worker(page)
    assert [r["comment"] for r in fake_graph.comment_replies] == ["PAGE1_3_c1"]  # Meta nests replies one level


def test_the_reply_button_answers_that_comment(client, page, fake_slack, fake_graph):
    fb_comment(client, fake_graph, "PAGE1_3_c1", "PAGE1_3", "Older question")
    fb_comment(client, fake_graph, "PAGE1_3_c2", "PAGE1_3", "Newer one")
    run_worker(page)
    [root] = roots(fake_slack)
    older, _ = in_thread(fake_slack, root)
    assert press(client, older, comments.REPLY_ACTION, "U_MEMBER").status_code == 200
    view = wait(lambda: fake_slack.views and fake_slack.views[-1])
    assert view["callback_id"] == comments.REPLY_VIEW and "Older question" in json.dumps(view["blocks"])
    submitted = {"type": "view_submission", "team": {"id": "T1"}, "user": {"id": "U_MEMBER", "team_id": "T1"},
                 "api_app_id": "A1", "view": {**view, "id": "V_REPLY", "state": {"values": {comments.REPLY_BLOCK: {
                     comments.REPLY_INPUT: {"type": "plain_text_input", "value": "It is back in stock"}}}}}}
    assert interact(client, submitted).status_code == 200
    assert interact(client, submitted).status_code == 200  # a second click sends nothing more
    run_worker(page)
    assert [(r["comment"], r["message"]) for r in fake_graph.comment_replies] == \
        [("PAGE1_3_c1", "It is back in stock")]
    [shown] = [m for m in in_thread(fake_slack, root) if "replied publicly" in m["text"]]
    assert "<@U_MEMBER>" in shown["text"] and "Older question" in shown["text"]
    assert [r["timestamp"] for r in fake_slack.reactions] == [shown["ts"]]


def test_an_empty_or_foreign_reply_modal_is_refused(client, page, fake_slack, fake_graph):
    fb_comment(client, fake_graph, "PAGE1_3_c1", "PAGE1_3", "Question")
    run_worker(page)
    [root] = roots(fake_slack)
    [comment] = in_thread(fake_slack, root)
    press(client, comment, comments.REPLY_ACTION, "U_MEMBER")
    view = wait(lambda: fake_slack.views and fake_slack.views[-1])

    def submit(team: str, text: str) -> dict[str, Any]:
        answer = interact(client, {"type": "view_submission", "team": {"id": team}, "user": {"id": "U_MEMBER"},
                                   "api_app_id": "A1", "view": {**view, "id": f"V_{team}_{len(text)}", "state": {
                                       "values": {comments.REPLY_BLOCK: {comments.REPLY_INPUT: {"value": text}}}}}})
        return answer.get_json()

    assert submit("T1", "  ")["errors"] == {comments.REPLY_BLOCK: messages.COMMENT_MODAL_EMPTY}
    assert submit("T2", "from elsewhere")["errors"] == {comments.REPLY_BLOCK: messages.COMMENT_GONE}
    run_worker(page)
    assert fake_graph.comment_replies == []


def test_instagram_comments_get_a_thread_per_media_and_replies(client, page, fake_slack, fake_graph):
    ig_comment(client, fake_graph, "C1", "M1", "Great photo")
    ig_comment(client, fake_graph, "C2", "M1", "Where is this?")
    ig_comment(client, fake_graph, "C3", "M2", "Nice")
    run_worker(page)
    first, second = roots(fake_slack)
    assert "@acme" in first["text"] and "Photo 1" in first["text"] and "https://www.instagram.com/p/1" in first["text"]
    assert "Photo 2" in second["text"]
    assert ["@fan1" in m["text"] for m in in_thread(fake_slack, first)] == [True, True]
    member_reply(client, first, "In Lisbon")
    run_worker(page)
    assert [(r["comment"], r["message"], r["kind"]) for r in fake_graph.comment_replies] == \
        [("C2", "In Lisbon", "ig")]
    replies_call = [c for c in fake_graph.calls if c.method == "POST" and c.path.endswith("/C2/replies")]
    assert len(replies_call) == 1


def test_a_post_meta_will_not_show_still_gets_its_thread(client, page, fake_slack, fake_graph):
    fb_comment(client, fake_graph, "PAGE1_99_c1", "PAGE1_99", "On a post the fake does not know")
    run_worker(page)
    [root] = roots(fake_slack)
    assert "Meta did not show the post" in root["text"] and "PAGE1_99" in root["text"]
    [comment] = in_thread(fake_slack, root)
    assert "On a post the fake does not know" in comment["text"]


def test_an_admin_hides_and_deletes_comments(client, page, fake_slack, fake_graph):
    fb_comment(client, fake_graph, "PAGE1_3_c1", "PAGE1_3", "Keep this one")
    fb_comment(client, fake_graph, "PAGE1_3_c2", "PAGE1_3", "Spam spam")
    ig_comment(client, fake_graph, "C1", "M1", "Rude words")
    run_worker(page)
    # the Page's and the Instagram account's conversations are delivered side by side: either root may come first
    [fb_root] = [m for m in roots(fake_slack) if "Acme Page 1" in m["text"]]
    [ig_root] = [m for m in roots(fake_slack) if "@acme" in m["text"]]
    first, spam = in_thread(fake_slack, fb_root)
    [rude] = in_thread(fake_slack, ig_root)
    spam_value = buttons(spam)[comments.HIDE_ACTION]["value"]

    press(client, spam, comments.HIDE_ACTION, "U_ADMIN")
    wait(lambda: fake_graph.comments["PAGE1_3_c2"]["hidden"])
    edit = wait(lambda: next((e for e in fake_slack.edits if e["ts"] == spam["ts"]), None))
    assert "Hidden by <@U_ADMIN>" in edit["text"] and "Spam spam" in edit["text"]
    assert set(buttons(edit)) == {comments.REPLY_ACTION, comments.DELETE_ACTION}
    hide = [c for c in fake_graph.calls if c.method == "POST" and c.path.endswith("/PAGE1_3_c2")]
    assert hide[0].params.get("is_hidden") == "true"

    press(client, spam, comments.DELETE_ACTION, "U_ADMIN")
    wait(lambda: fake_graph.comments["PAGE1_3_c2"]["deleted"])
    edit = wait(lambda: [e for e in fake_slack.edits if e["ts"] == spam["ts"]][1:])[0]
    assert "Deleted by <@U_ADMIN>" in edit["text"] and buttons(edit) == {}

    press(client, rude, comments.HIDE_ACTION, "U_ADMIN")
    wait(lambda: fake_graph.comments["C1"]["hidden"])
    ig_hide = [c for c in fake_graph.calls if c.method == "POST" and c.path.endswith("/C1")]
    assert ig_hide[0].params.get("hide") == "true"
    press(client, rude, comments.DELETE_ACTION, "U_ADMIN")
    wait(lambda: fake_graph.comments["C1"]["deleted"])

    # Meta reports the deletion: the thread already says it
    before = len(fake_slack.messages)
    post_webhook(client, fixture("page/feed_comment.json", comment_id="PAGE1_3_c2", post_id="PAGE1_3", verb="remove"))
    run_worker(page)
    assert len(fake_slack.messages) == before
    # the latest comment is deleted: a reply in the thread goes to the one before it
    member_reply(client, fb_root, "Thanks!")
    run_worker(page)
    assert [r["comment"] for r in fake_graph.comment_replies] == ["PAGE1_3_c1"]
    # the deleted comment's buttons reach nothing any more
    press(client, spam, comments.HIDE_ACTION, "U_ADMIN", value=spam_value)  # its message no longer has the button
    assert wait(lambda: fake_slack.ephemerals)[-1]["text"] == messages.COMMENT_GONE


def test_a_comment_removed_at_meta_is_noted_and_no_longer_answered(client, page, fake_slack, fake_graph):
    fb_comment(client, fake_graph, "PAGE1_3_c1", "PAGE1_3", "First")
    fb_comment(client, fake_graph, "PAGE1_3_c2", "PAGE1_3", "Second")
    post_webhook(client, fixture("page/feed_comment.json", comment_id="PAGE1_3_c2", post_id="PAGE1_3", verb="remove"))
    run_worker(page)
    [root] = roots(fake_slack)
    assert "removed a comment" in in_thread(fake_slack, root)[-1]["text"]
    member_reply(client, root, "Hello")
    run_worker(page)
    assert [r["comment"] for r in fake_graph.comment_replies] == ["PAGE1_3_c1"]


def test_hide_and_delete_are_refused_to_a_member(client, page, fake_slack, fake_graph):
    fb_comment(client, fake_graph, "PAGE1_3_c1", "PAGE1_3", "Spam")
    run_worker(page)
    [root] = roots(fake_slack)
    [comment] = in_thread(fake_slack, root)
    press(client, comment, comments.HIDE_ACTION, "U_MEMBER")
    assert fake_slack.wait_for_ephemeral(1)["text"] == messages.NOT_ALLOWED
    press(client, comment, comments.DELETE_ACTION, "U_MEMBER")
    assert fake_slack.wait_for_ephemeral(2)["text"] == messages.NOT_ALLOWED
    assert fake_graph.comments["PAGE1_3_c1"] == {"kind": "fb", "hidden": False, "deleted": False}
    assert fake_slack.edits == []


def test_a_forged_value_or_another_teams_click_reaches_nothing(client, page, fake_slack, fake_graph):
    fb_comment(client, fake_graph, "PAGE1_3_c1", "PAGE1_3", "Spam")
    run_worker(page)
    [root] = roots(fake_slack)
    [comment] = in_thread(fake_slack, root)
    press(client, comment, comments.DELETE_ACTION, "U_ADMIN", team="T2")  # T1's comment, clicked from T2
    assert fake_slack.wait_for_ephemeral(1)["text"] == messages.COMMENT_GONE
    press(client, comment, comments.HIDE_ACTION, "U_ADMIN", value="PAGE1_3_c1")  # not a value we made
    assert fake_slack.wait_for_ephemeral(2)["text"] == messages.COMMENT_GONE
    press(client, comment, comments.REPLY_ACTION, "U_ADMIN", team="T2")
    assert fake_slack.wait_for_ephemeral(3)["text"] == messages.COMMENT_GONE
    assert fake_graph.comments["PAGE1_3_c1"] == {"kind": "fb", "hidden": False, "deleted": False}
    assert fake_slack.views == [] and fake_slack.edits == []


def test_a_row_of_another_team_is_refused_even_with_a_real_id(client, page, fake_slack, fake_graph):
    """T2's own comment row id pressed from T1 reaches nothing: rows are only looked up among the team's own."""
    fb_comment(client, fake_graph, "PAGE1_3_c1", "PAGE1_3", "Spam")
    run_worker(page)
    with page.db.session() as s:
        [row] = [r for r in s.scalars(select(ContactThread)) if r.contact.startswith("comment:")]
        row.team_id = "T2"  # as if another workspace held this comment
    [root] = roots(fake_slack)
    [comment] = in_thread(fake_slack, root)
    press(client, comment, comments.HIDE_ACTION, "U_ADMIN")
    assert fake_slack.wait_for_ephemeral(1)["text"] == messages.COMMENT_GONE
    assert not fake_graph.comments["PAGE1_3_c1"]["hidden"]


def test_meta_refusing_a_hide_is_said_and_the_message_left_alone(client, page, fake_slack, fake_graph):
    fb_comment(client, fake_graph, "PAGE1_3_c1", "PAGE1_3", "Spam")
    run_worker(page)
    [root] = roots(fake_slack)
    [comment] = in_thread(fake_slack, root)
    fake_graph.refuse_comments = graph_error(10, "(#10) Permission denied", 403)
    press(client, comment, comments.HIDE_ACTION, "U_ADMIN")
    assert "Meta did not hide the comment" in fake_slack.wait_for_ephemeral(1)["text"]
    assert fake_slack.edits == []


def test_a_refused_public_reply_is_said_in_the_thread(client, page, fake_slack, fake_graph):
    fb_comment(client, fake_graph, "PAGE1_3_c1", "PAGE1_3", "Question")
    run_worker(page)
    [root] = roots(fake_slack)
    fake_graph.refuse_comments = graph_error(100, "(#100) Invalid parameter", 400)
    member_reply(client, root, "Hello")
    run_worker(page)
    assert fake_graph.comment_replies == []
    assert any(m["text"].startswith(":x:") for m in in_thread(fake_slack, root))
    assert [r["name"] for r in fake_slack.reactions] == ["x"]


def test_a_note_in_the_reply_modal_is_refused_under_its_field_and_nothing_is_published(client, page, fake_slack,
                                                                                       fake_graph):
    fb_comment(client, fake_graph, "PAGE1_3_c1", "PAGE1_3", "Question")
    run_worker(page)
    [root] = roots(fake_slack)
    [comment] = in_thread(fake_slack, root)
    press(client, comment, comments.REPLY_ACTION, "U_MEMBER")
    view = wait(lambda: fake_slack.views and fake_slack.views[-1])
    for i, text in enumerate(["note: this guy is a troll", "*Note:* troll", "> _note:_ troll", "// troll"]):
        answer = interact(client, {"type": "view_submission", "team": {"id": "T1"},
                                   "user": {"id": "U_MEMBER", "team_id": "T1"}, "api_app_id": "A1",
                                   "view": {**view, "id": f"V_NOTE_{i}", "state": {"values": {comments.REPLY_BLOCK: {
                                       comments.REPLY_INPUT: {"value": text}}}}}})
        assert answer.get_json()["errors"] == {comments.REPLY_BLOCK: messages.COMMENT_MODAL_NOTE}
    run_worker(page)
    assert fake_graph.comment_replies == []
    assert [m for m in in_thread(fake_slack, root) if "replied publicly" in m["text"]] == []  # nothing shown either


def test_a_formatted_note_in_a_post_thread_is_not_published(client, page, fake_slack, fake_graph):
    fb_comment(client, fake_graph, "PAGE1_3_c1", "PAGE1_3", "Question")
    run_worker(page)
    [root] = roots(fake_slack)
    member_reply(client, root, "*Note:* this guy is a troll")
    run_worker(page)
    assert fake_graph.comment_replies == []
