"""The listeners of `/meta` and of the buttons under its answers, each called directly as Bolt calls it: the request
from tests/fixtures/slack, recorders for ack and respond, a WebClient on the Slack fake, the real runtime."""

from __future__ import annotations

import json

import pytest

from bot.commands.meta import meta_command, meta_command_later, meta_connect_clicked
from bot.commands.pages import (
    instagram_connect_clicked,
    media_page_turned,
    page_connect_clicked,
    posts_page_turned,
)
from bot.commands.templates import template_delete_confirmed, templates_page_turned
from metaops import messages
from metaops.assets import pages
from metaops.templates import catalog
from tests.bot.bolt import Recorder, call
from tests.helpers import connect, connect_whatsapp, slack_fixture


@pytest.fixture
def whatsapp(rt, fake_graph):
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    return rt


@pytest.fixture
def meta_connected(client, rt, fake_graph):
    """Meta connected through the OAuth flow: the Graph fake's Pages (PAGE1…) are known, none connected yet."""
    assert connect(client, fake_graph).status_code == 200
    return rt


def click(listener, context, web_client, **action):
    """A button of the app's message clicked by U_ADMIN; returns (ack, respond)."""
    ack, respond = Recorder(), Recorder()
    body = slack_fixture("actions/message_button.json", action=action)
    call(listener, ack=ack, body=body, action=body["actions"][0], respond=respond, client=web_client,
         context=context)
    assert ack.once == {}
    return ack, respond


def test_meta_command_answers_quick_words_in_the_ack_and_slow_ones_later(context, web_client):
    for text, answer in (("help", messages.HELP), ("status", messages.NOT_CONNECTED),
                         ("templates", messages.WORKING)):
        ack = Recorder()
        meta_command(ack=ack, command=slack_fixture("commands/meta.json", text=text), client=web_client,
                     context=context)
        assert ack.once == {"response_type": "ephemeral", "text": answer}


def test_meta_command_opens_a_modal_and_acks_empty(whatsapp, context, web_client, fake_slack):
    ack = Recorder()
    meta_command(ack=ack, command=slack_fixture("commands/meta.json", text="template new"), client=web_client,
                 context=context)
    assert ack.once == {}
    [view] = fake_slack.views
    assert view["callback_id"] == "template_modal"


def test_meta_command_later_answers_a_slow_word_through_respond(whatsapp, context, web_client, fake_graph):
    fake_graph.add_templates(2)
    respond = Recorder()
    meta_command_later(command=slack_fixture("commands/meta.json", text="templates"), client=web_client,
                       respond=respond, context=context)
    answer = respond.once
    assert answer["replace_original"] is True and answer["response_type"] == "ephemeral"
    assert "(2)" in answer["text"]
    quick = Recorder()
    meta_command_later(command=slack_fixture("commands/meta.json", text="help"), client=web_client, respond=quick,
                       context=context)
    assert quick.calls == []  # answered in the ack already


def test_meta_connect_clicked_only_acks():
    ack = Recorder()
    meta_connect_clicked(ack=ack)
    assert ack.once == {}


def test_templates_page_turned_shows_that_page_in_place(whatsapp, context, web_client, fake_graph):
    fake_graph.add_templates(12)
    catalog.sync(whatsapp, "T1")
    _, respond = click(templates_page_turned, context, web_client, action_id="templates_next",
                       value=json.dumps({"p": 2, "s": None, "c": None}))
    assert respond.once["replace_original"] is True and "Page 2 of 2" in json.dumps(respond.once["blocks"])
    _, forged = click(templates_page_turned, context, web_client, action_id="templates_next", value="{\"p\": \"x\"}")
    assert forged.once == {"replace_original": False, "response_type": "ephemeral", "text": messages.ACTION_NOT_VALID}


def test_template_delete_confirmed_deletes_for_an_admin_only(whatsapp, context, web_client, fake_graph):
    fake_graph.add_templates(1)
    catalog.sync(whatsapp, "T1")
    name = fake_graph.templates[0]["name"]
    ack, respond = Recorder(), Recorder()
    body = slack_fixture("actions/message_button.json", user={"id": "U_MEMBER"},
                         action={"action_id": "template_delete", "value": name})
    call(template_delete_confirmed, ack=ack, body=body, action=body["actions"][0], respond=respond,
         client=web_client, context=context)
    assert respond.once == {"replace_original": True, "text": messages.NOT_ALLOWED} and fake_graph.templates
    _, done = click(template_delete_confirmed, context, web_client, action_id="template_delete", value=name)
    assert "deleted" in done.once["text"] and fake_graph.templates == []
    assert catalog.find(whatsapp, "T1", name) == []


def test_page_connect_clicked_connects_a_managed_page(meta_connected, context, web_client, fake_graph):
    _, respond = click(page_connect_clicked, context, web_client, action_id="page_connect", value="PAGE1")
    assert respond.once["replace_original"] is False and respond.once["response_type"] == "ephemeral"
    assert "Acme Page 1" in respond.once["text"] and fake_graph.subscribed == ["PAGE1"]
    _, forged = click(page_connect_clicked, context, web_client, action_id="page_connect", value="PAGE1/feed")
    assert forged.once["text"] == messages.ACTION_NOT_VALID and fake_graph.subscribed == ["PAGE1"]


def test_instagram_connect_clicked_connects_an_account_of_a_connected_page(meta_connected, context, web_client):
    pages.connect_page(meta_connected, "T1", "PAGE1")
    assert [a["id"] for a in pages.instagram_accounts(meta_connected, "T1")] == ["IG1"]
    _, respond = click(instagram_connect_clicked, context, web_client, action_id="instagram_connect", value="IG1")
    assert "@acme" in respond.once["text"]
    assert pages.connected_instagram(meta_connected, "T1") == [("IG1", "acme")]
    _, other = click(instagram_connect_clicked, context, web_client, action_id="instagram_connect", value="IG404")
    assert "does not manage" in other.once["text"]


def test_posts_page_turned_shows_the_next_posts(meta_connected, context, web_client):
    pages.connect_page(meta_connected, "T1", "PAGE1")
    cursor = pages.posts(meta_connected, "T1", "PAGE1").after
    _, respond = click(posts_page_turned, context, web_client, action_id="posts_next",
                       value=json.dumps({"t": "PAGE1", "a": cursor}))
    assert respond.once["replace_original"] is True and "Post number 6" in respond.once["text"]
    _, forged = click(posts_page_turned, context, web_client, action_id="posts_next", value=json.dumps({"t": "P"}))
    assert forged.once["text"] == messages.ACTION_NOT_VALID


def test_media_page_turned_shows_the_next_media(meta_connected, context, web_client):
    pages.connect_page(meta_connected, "T1", "PAGE1")
    pages.instagram_accounts(meta_connected, "T1")
    pages.connect_instagram(meta_connected, "T1", "IG1")
    cursor = pages.media(meta_connected, "T1", "IG1").after
    _, respond = click(media_page_turned, context, web_client, action_id="media_next",
                       value=json.dumps({"t": "IG1", "a": cursor}))
    assert respond.once["replace_original"] is True and "Photo 6" in respond.once["text"]
    _, other = click(media_page_turned, context, web_client, action_id="media_previous",
                     value=json.dumps({"t": "IG404", "b": "x"}))
    assert "does not manage" in other.once["text"]


def test_meta_command_history_answers_admins_in_the_ack(whatsapp, context, web_client):
    for user, answer in (("U_MEMBER", messages.NOT_ALLOWED), ("U_ADMIN", messages.HISTORY_NONE)):
        ack = Recorder()
        meta_command(ack=ack, command=slack_fixture("commands/meta.json", text="history", user_id=user),
                     client=web_client, context=context)
        assert ack.once == {"response_type": "ephemeral", "text": answer}
