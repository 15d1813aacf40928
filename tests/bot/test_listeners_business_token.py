"""`/meta token`'s modal listeners, called directly: the ack checks who and what at once; the lazy listener asks Meta
and shows the outcome in the modal."""

from __future__ import annotations

import json

from bot.modals.business_token import BLOCK, CALLBACK_ID, token_checked, token_submitted
from metaops import messages
from store import workspaces
from tests.bot.bolt import Recorder, call
from tests.helpers import slack_fixture


def token_view(token: str, **changes):
    return slack_fixture("views/webhook_modal.json", view={
        "id": "V_TOKEN", "callback_id": CALLBACK_ID, "blocks": [],
        "private_metadata": json.dumps({"team_id": "T1", "channel_id": "C_CONNECT"}),
        "state": {"values": {BLOCK: {"value": {"type": "plain_text_input", "value": token}}}}}, **changes)


def test_token_submitted_acks_a_checking_view_for_an_admin_and_refuses_others(rt, context, web_client):
    for body, expected in ((token_view("EAA x"), messages.TOKEN_EMPTY),
                           (token_view("EAAgood", user={"id": "U_MEMBER"}), messages.NOT_ALLOWED)):
        ack = Recorder()
        call(token_submitted, ack=ack, body=body, view=body["view"], client=web_client, context=context)
        assert ack.once == {"response_action": "errors", "errors": {BLOCK: expected}}
    ack = Recorder()
    body = token_view("EAAgood")
    call(token_submitted, ack=ack, body=body, view=body["view"], client=web_client, context=context)
    assert ack.once["response_action"] == "update"
    assert "EAAgood" not in json.dumps(ack.once)  # the token is not echoed back


def test_token_checked_stores_a_system_user_token_and_shows_the_outcome(rt, context, web_client, fake_slack,
                                                                        fake_graph):
    token = fake_graph.system_user_token()
    body = token_view(token)
    call(token_checked, body=body, view=body["view"], client=web_client, context=context)
    [update] = fake_slack.updates
    shown = json.dumps(update["view"])
    assert messages.TOKEN_STORED.split(":", 2)[2].strip()[:30] in shown and token not in shown
    with rt.db.session() as s:
        conn = workspaces.connection_of(s, "T1")
        assert conn.token_kind == "system_user" and conn.token_expires_at is None
        assert conn.token_enc != token and rt.crypto.decrypt(conn.token_enc) == token  # stored encrypted


def test_token_checked_refuses_a_user_token_and_stores_nothing(rt, context, web_client, fake_slack, fake_graph):
    body = token_view(fake_graph.issue_token())
    call(token_checked, body=body, view=body["view"], client=web_client, context=context)
    [update] = fake_slack.updates
    assert "this token expires" in json.dumps(update["view"])
    with rt.db.session() as s:
        assert workspaces.connection_of(s, "T1") is None
