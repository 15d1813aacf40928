"""Templates from Slack: sync every page, list and page in place, the modal with Meta's rules, Meta's
refusal in the modal, status webhooks for a template created in the same test, edit and delete."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from metaops.templates import catalog
from store.models import Template
from tests.helpers import (
    batch,
    connect_whatsapp,
    fixture,
    interact,
    later,
    post_webhook,
    run_worker,
    slash_command,
)


@pytest.fixture
def connected(rt, fake_graph):
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    return rt


def submit(client, view, values, user="U_ADMIN"):
    state = {}
    for key, value in values.items():
        if key == "category":
            state[key] = {"value": {"type": "static_select", "selected_option": {"value": value}}}
        else:
            state[key] = {"value": {"type": "plain_text_input", "value": value}}
    view = {**view, "id": "V1", "state": {"values": state}}
    return interact(client, {"type": "view_submission", "team": {"id": "T1"}, "user": {"id": user},
                             "view": view, "api_app_id": "A1", "trigger_id": "1.2"})


GOOD = {"name": "order_update", "language": "en_US", "category": "UTILITY", "header": "", "header_example": "",
        "body": "Hi {{1}}, order {{2}} shipped.", "body_examples": "Ana, 18273", "footer": "", "buttons": ""}


def test_sync_reads_every_page(connected, fake_graph):
    fake_graph.add_templates(230)
    assert catalog.sync(connected, "T1") == 230
    with connected.db.session() as s:
        assert len(s.scalars(select(Template)).all()) == 230
    pages = [c for c in fake_graph.calls if c.path.endswith("/message_templates")]
    assert len(pages) == 3
    assert catalog.sync(connected, "T1") == 0  # fresh: not read again within the hour
    fake_graph.templates = fake_graph.templates[:5]
    assert catalog.sync(connected, "T1", force=True) == 5  # and deleted ones go


def test_list_pages_in_place_with_buttons(client, connected, fake_slack, fake_graph):
    fake_graph.add_templates(12, status="APPROVED")
    fake_graph.add_templates(3, status="REJECTED", category="MARKETING")
    answer = later(client, fake_slack, "templates", user="U_MEMBER")
    assert "(15)" in answer["text"] and answer["text"].count("·") == 30
    nav = answer["blocks"][-1]["elements"]
    assert [b["text"]["text"] for b in nav] == ["Next"]

    fake_slack.calls.clear()
    r = interact(client, {"type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U_MEMBER"},
                          "response_url": fake_slack.url + "/response", "api_app_id": "A1", "trigger_id": "1.2",
                          "container": {"type": "message"}, "actions": [{**nav[0], "block_id": "b"}]})
    assert r.status_code == 200
    [page2] = fake_slack.responses()
    assert page2["replace_original"] is True and "Page 2 of 2" in json.dumps(page2["blocks"])
    assert [b["text"]["text"] for b in page2["blocks"][-1]["elements"]] == ["Previous"]


def test_list_filters(client, connected, fake_slack, fake_graph):
    fake_graph.add_templates(2, status="APPROVED")
    fake_graph.add_templates(3, status="REJECTED", category="MARKETING")
    answer = later(client, fake_slack, "templates marketing rejected")
    assert "(3, REJECTED, MARKETING)" in answer["text"]
    bad = later(client, fake_slack, "templates shiny")
    assert "I don't know `shiny`" in bad["text"] and "APPROVED" in bad["text"]


def test_new_opens_the_modal_with_specs_labels(client, connected, fake_slack):
    r = slash_command(client, "template new", user="U_ADMIN")
    assert r.status_code == 200 and not r.data
    [view] = fake_slack.views
    labels = [b["label"]["text"] for b in view["blocks"] if b["type"] == "input"]
    for label in ("Name", "Language", "Category", "Header", "Body", "Body examples", "Footer", "Buttons"):
        assert label in labels


def test_members_cannot_open_the_modal(client, connected, fake_slack):
    r = slash_command(client, "template new", user="U_MEMBER").get_json()
    assert "Only workspace admins" in r["text"] and fake_slack.views == []


def test_broken_fields_get_their_own_errors(client, connected, fake_slack, fake_graph):
    slash_command(client, "template new", user="U_ADMIN")
    [view] = fake_slack.views
    r = submit(client, view, {**GOOD, "name": "Bad Name", "body": "{{1}} hi", "body_examples": "",
                              "buttons": "x" * 30})
    body = r.get_json()
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {"name", "body", "buttons"}
    assert not any(c.method == "POST" and c.path.endswith("/message_templates") for c in fake_graph.calls)


def test_metas_refusal_is_shown_against_the_field(client, connected, fake_slack, fake_graph):
    fake_graph.add_templates(1)
    existing = fake_graph.templates[0]["name"]
    slash_command(client, "template new", user="U_ADMIN")
    [view] = fake_slack.views
    body = submit(client, view, {**GOOD, "name": existing, "body": "Hi {{1}}, thanks.", "body_examples": "Ana"}
                  ).get_json()
    # acknowledged at once with a "working" view (no submit button); Meta is called by the worker
    assert body["response_action"] == "update" and "submit" not in body["view"]
    assert "Sending to Meta" in json.dumps(body["view"]["blocks"])
    run_worker(connected)
    # Meta's refusal: the form comes back as the user left it, Meta's words under the field concerned
    [update] = fake_slack.updates
    assert update["view_id"] == "V1"
    blocks = update["view"]["blocks"]
    ids = [b.get("block_id") for b in blocks]
    error = blocks[ids.index("meta_error_name")]
    assert ids.index("meta_error_name") == ids.index("name") + 1 and "already" in json.dumps(error)
    name_input = blocks[ids.index("name")]
    assert name_input["element"]["initial_value"] == existing and update["view"]["submit"]
    # refused: the same view (same id) may be corrected and sent again
    body = submit(client, {**view, "blocks": blocks},
                  {**GOOD, "body": "A forbidden {{1}} offer", "body_examples": "x"}).get_json()
    assert body["response_action"] == "update"
    run_worker(connected)
    blocks = fake_slack.updates[-1]["view"]["blocks"]
    ids = [b.get("block_id") for b in blocks]
    assert "meta_error_name" not in ids and "not allowed" in json.dumps(blocks[ids.index("meta_error_body")])
    with connected.db.session() as s:
        assert s.scalars(select(Template)).all() == []


def test_metas_refusal_after_the_modal_closed_is_posted(client, connected, fake_slack, fake_graph):
    fake_graph.add_templates(1)
    existing = fake_graph.templates[0]["name"]
    slash_command(client, "template new", user="U_ADMIN", channel="C_CONNECT")
    [view] = fake_slack.views
    submit(client, view, {**GOOD, "name": existing, "body": "Hi {{1}}, thanks.", "body_examples": "Ana"})
    fake_slack.closed_views.add("V1")  # the user closed the "working" view
    run_worker(connected)
    note = fake_slack.wait_for_ephemeral()
    assert note["channel"] == "C_CONNECT" and note["user"] == "U_ADMIN" and "already" in note["text"]


def test_create_then_approval_webhook_reaches_the_templates_channel(client, connected, fake_slack, fake_graph):
    slash_command(client, "template new", user="U_ADMIN", channel="C_CONNECT")
    [view] = fake_slack.views
    r = submit(client, view, {**GOOD, "header": "Order {{1}}", "header_example": "18273",
                              "buttons": "Track | https://acme.test/t\nThanks"})
    assert r.status_code == 200 and r.get_json()["response_action"] == "update"
    assert not [c for c in fake_graph.calls if c.path.endswith("/message_templates")]  # nothing before the ack
    run_worker(connected)
    assert "PENDING" in json.dumps(fake_slack.updates[-1]["view"]) and "submit" not in fake_slack.updates[-1]["view"]
    [sent] = [c for c in fake_graph.calls if c.method == "POST" and c.path.endswith("/message_templates")]
    assert [c["type"] for c in sent.params["components"]] == ["HEADER", "BODY", "BUTTONS"]
    assert sent.params["components"][1]["example"] == {"body_text": [["Ana", "18273"]]}
    with connected.db.session() as s:
        t = s.scalars(select(Template)).one()
    assert t.status == "PENDING" and t.name == "order_update"
    assert "PENDING" in fake_slack.wait_for_ephemeral()["text"]

    from store.models import NotificationRoute

    with connected.db.session() as s:
        s.add(NotificationRoute(team_id="T1", kind="templates", channel_id="C_TEMPLATES"))
    update = fixture("whatsapp/template_status_approved.json", message_template_id=int(t.id),
                     message_template_name="order_update")
    post_webhook(client, update)
    post_webhook(client, update)  # redelivered
    run_worker(connected)
    posts = [m for m in fake_slack.messages if m["channel"] == "C_TEMPLATES"]
    assert len(posts) == 1 and "order_update" in posts[0]["text"] and "APPROVED" in posts[0]["text"]
    with connected.db.session() as s:
        assert s.get(Template, t.id).status == "APPROVED"


def test_rejection_quality_and_category_updates(client, connected, fake_slack, fake_graph):
    fake_graph.add_templates(1, status="PENDING")
    catalog.sync(connected, "T1")
    tid = fake_graph.templates[0]["id"]
    name = fake_graph.templates[0]["name"]
    ids = {"message_template_id": int(tid), "message_template_name": name, "message_template_language": "en_US"}
    post_webhook(client, batch(fixture("whatsapp/template_status_rejected.json", **ids),
                               fixture("whatsapp/template_quality_update.json", **ids),
                               fixture("whatsapp/template_category_update.json", **ids)))
    run_worker(connected)
    texts = [m["text"] for m in fake_slack.messages]
    assert any("REJECTED" in t and "invalid format" in t and "Remove the link" in t for t in texts)
    assert any("to *medium*" in t for t in texts) and any("MARKETING" in t for t in texts)
    with connected.db.session() as s:
        t = s.get(Template, tid)
    assert (t.status, t.quality, t.category, t.rejected_reason) == ("REJECTED", "YELLOW", "MARKETING",
                                                                    "INVALID_FORMAT")


def test_edit_only_when_meta_allows(client, connected, fake_slack, fake_graph):
    fake_graph.add_templates(1, status="PENDING")
    fake_graph.add_templates(1, status="APPROVED")
    catalog.sync(connected, "T1")
    pending, approved = fake_graph.templates
    r = slash_command(client, f"template edit {pending['name']}", user="U_ADMIN").get_json()
    assert "APPROVED, REJECTED or PAUSED" in r["text"]

    slash_command(client, f"template edit {approved['name']}", user="U_ADMIN")
    [view] = fake_slack.views
    assert "name" not in {b.get("block_id") for b in view["blocks"]}
    body = next(b for b in view["blocks"] if b.get("block_id") == "body")
    assert body["element"]["initial_value"] == approved["components"][0]["text"]
    r = submit(client, view, {"category": "UTILITY", "body": "Hello again {{1}} friend", "body_examples": "Ana"})
    assert r.status_code == 200 and r.get_json()["response_action"] == "update"
    run_worker(connected)
    assert "edited" in fake_slack.wait_for_ephemeral()["text"]
    assert fake_graph.templates[1]["components"][0]["text"] == "Hello again {{1}} friend"


def test_delete_asks_first_then_deletes(client, connected, fake_slack, fake_graph):
    fake_graph.add_templates(1)
    catalog.sync(connected, "T1")
    name = fake_graph.templates[0]["name"]
    confirm = slash_command(client, f"template delete {name}", user="U_ADMIN").get_json()
    [button] = confirm["blocks"][1]["elements"]
    assert button["confirm"]["confirm"]["text"] == "Delete" and fake_graph.templates
    fake_slack.calls.clear()
    interact(client, {"type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U_ADMIN"},
                      "response_url": fake_slack.url + "/response", "api_app_id": "A1", "trigger_id": "1.2",
                      "container": {"type": "message"}, "actions": [{**button, "block_id": "b"}]})
    [done] = fake_slack.responses()
    assert "deleted" in done["text"] and fake_graph.templates == []
    assert catalog.find(connected, "T1", name) == []


def test_metrics_table_with_reads_and_top_template(client, connected, fake_slack, fake_graph):
    fake_graph.add_templates(2)
    catalog.sync(connected, "T1")
    answer = later(client, fake_slack, "metrics 3", user="U_MEMBER")["text"]
    rows = [r for r in answer.split("```")[1].splitlines()]
    assert rows[0].split() == ["day", "sent", "delivered", "read"]
    assert [r.split()[1:] for r in rows[1:4]] == [["10", "9", "9"], ["20", "18", "9"], ["30", "27", "9"]]
    assert rows[4].split() == ["total", "60", "54"]
    assert f"*{fake_graph.templates[1]['name']}* (30 sent)" in answer


def test_metrics_days_are_validated(client, connected, fake_slack):
    for bad in ("zero", "0", "91"):
        assert "1 to 90" in later(client, fake_slack, f"metrics {bad}")["text"]
