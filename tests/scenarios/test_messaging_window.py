"""Messenger and Instagram replies by the customer's last message: within 24 hours a RESPONSE, between 24 hours and
7 days tagged HUMAN_AGENT, past 7 days nothing sent and the thread says why. The Graph fake refuses what Meta
refuses (a RESPONSE past 24 hours, anything past 7 days: error 10, subcode 2018278)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from integrations.meta import pages
from integrations.meta.errors import GraphError
from store.timestamps import utcnow
from tests.fakes.meta_graph import DAY
from tests.helpers import messaging_thread, run_worker
from tests.scenarios.test_replies import reply

HOUR = 3600


def sends(fake_graph):
    """The Send API calls that carried a message (not a typing indicator or a read mark)."""
    return [c.params for c in fake_graph.calls if c.path.endswith("/messages") and c.method == "POST"
            and "message" in c.params]


def later(rt, fake_graph, customer: str, hours: float) -> None:
    """`hours` pass after the customer's message, for the app and for Meta."""
    rt.now = lambda: utcnow() + timedelta(hours=hours)
    fake_graph.dm_last_inbound[customer] = time.time() - hours * HOUR


def test_within_24_hours_a_reply_is_a_response(client, rt, fake_slack, fake_graph):
    root = messaging_thread(client, rt, fake_slack, fake_graph, "hi page")
    later(rt, fake_graph, "PSID777", 23)
    reply(client, "Hello", root)
    run_worker(rt)
    [sent] = sends(fake_graph)
    assert sent["messaging_type"] == "RESPONSE" and "tag" not in sent
    assert fake_slack.reactions[0]["name"] == "white_check_mark"


@pytest.mark.parametrize(("platform", "customer"), [("page", "PSID777"), ("instagram", "IGSID9")])
def test_between_24_hours_and_7_days_a_reply_goes_tagged_human_agent(client, rt, fake_slack, fake_graph, platform,
                                                                   customer):
    root = messaging_thread(client, rt, fake_slack, fake_graph, "where is my order?", platform=platform)
    later(rt, fake_graph, customer, 30)
    reply(client, "Sorry for the wait: it ships today", root)
    run_worker(rt)
    [sent] = sends(fake_graph)
    assert (sent["messaging_type"], sent["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")
    assert fake_graph.sent[0]["body"] == "Sorry for the wait: it ships today"
    assert fake_slack.reactions[0]["name"] == "white_check_mark" and not fake_slack.messages


def test_past_7_days_nothing_is_sent_and_the_thread_says_why(client, rt, fake_slack, fake_graph):
    root = messaging_thread(client, rt, fake_slack, fake_graph, "hello?")
    later(rt, fake_graph, "PSID777", 8 * 24)
    reply(client, "Are you still there?", root)
    run_worker(rt)
    assert not sends(fake_graph) and not fake_graph.sent
    [said] = fake_slack.messages
    assert said["thread_ts"] == root and "7 days" in said["text"] and "Not sent" in said["text"]
    assert fake_slack.reactions[0]["name"] == "x"


def test_a_customer_whose_last_message_is_not_known_gets_the_tag(client, rt, fake_slack, fake_graph):
    root = messaging_thread(client, rt, fake_slack, fake_graph, "hi")
    rt.redis.delete(*rt.redis.keys("metaops:dm:inbound:*"))  # written before this release, or Redis lost it
    reply(client, "Hello", root)
    run_worker(rt)
    assert sends(fake_graph)[0]["tag"] == "HUMAN_AGENT"


def test_the_fake_refuses_what_meta_refuses(rt, fake_graph):
    token = fake_graph.issue_token("page", expires_in=0)
    fake_graph.dm_last_inbound["PSID1"] = time.time() - 2 * DAY
    with pytest.raises(GraphError) as refused:
        pages.send_text(rt.graph, token, "PAGE1", "PSID1", "a RESPONSE two days later")
    assert (refused.value.code, refused.value.subcode) == (10, 2018278)
    assert pages.send_text(rt.graph, token, "PAGE1", "PSID1", "tagged", pages.HUMAN_AGENT)
    fake_graph.dm_last_inbound["PSID1"] = time.time() - 8 * DAY
    with pytest.raises(GraphError):
        pages.send_text(rt.graph, token, "PAGE1", "PSID1", "tagged, eight days later", pages.HUMAN_AGENT)
