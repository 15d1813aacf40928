"""Campaigns (issue 23): `/meta campaign` opens the modal; the recipients file shared in Slack is checked and priced
before anything is sent; confirmed, each recipient is sent the template once, paced, with a live progress message
and a final report (chart and CSV); over the threshold a second admin approves first."""

from __future__ import annotations

import csv
import io
import time
from typing import Any

import pytest
from sqlalchemy import select

from metaops import defaults, messages
from store.models import Campaign, CampaignRecipient, Customer
from tests.constants import PHONE_ID
from tests.helpers import connect_whatsapp, interact, post_webhook, run_due_scheduled, run_worker, slash_command
from tests.helpers.meta import wa_message, wa_payload
from tests.helpers.workers import job_call, waiting_job_ids

PROMO = {"id": "800000000000002", "name": "spring_sale", "language": "pt_BR", "category": "MARKETING",
         "status": "APPROVED", "components": [{"type": "BODY", "text": "Hi {{1}}: {{2}} off today only",
                                               "example": {"body_text": [["Ana", "20%"]]}}]}
CODE = {"id": "800000000000003", "name": "login_code", "language": "en", "category": "AUTHENTICATION",
        "status": "APPROVED", "components": [
            {"type": "BODY", "text": "{{1}} is your verification code.", "example": {"body_text": [["123456"]]}}]}
PENDING = {"id": "800000000000005", "name": "not_yet", "language": "en_US", "category": "UTILITY",
           "status": "PENDING", "components": [{"type": "BODY", "text": "Hello"}]}
LIST = ("phone,body_1,body_2\n"
        "+54 9 11 5555-0001,Ana,20%\n"  # line 2: Argentina
        "5491155550002,Bo,10%\n"  # line 3: opted out of marketing
        "not-a-phone,Cy,5%\n"  # line 4: invalid
        "5491155550001,Ana again,20%\n"  # line 5: duplicate of line 2
        "4312345678,Dee,15%\n"  # line 6: Austria
        "15551230000,Eve,15%\n")  # line 7: a market the shipped rate card does not price


@pytest.fixture
def connected(rt, fake_graph, fake_slack):
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    fake_graph.templates = [dict(t) for t in (PROMO, CODE, PENDING)]
    with rt.db.session() as s:
        s.add(Customer(business_id=PHONE_ID, phone="5491155550002", bsuid="AR.1000000002", marketing_opt_out=True))
    fake_slack.share_file("F0LIST001", "customers.csv", "text/csv", LIST.encode())
    return rt


def wait_for(items: list[Any], count: int = 1, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while len(items) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(items) >= count
    return items[count - 1]


def open_form(client, fake_slack, user: str = "U_ADMIN") -> dict[str, Any]:
    r = slash_command(client, "campaign", user=user, channel="C_CONNECT")
    assert r.status_code == 200
    return wait_for(fake_slack.views)


def submit_form(client, view: dict[str, Any], template_id: str, file: str = "F0LIST001", user: str = "U_ADMIN",
                when: int | None = None, view_id: str = "V1") -> Any:
    state: dict[str, Any] = {
        "name": {"value": {"type": "plain_text_input", "value": "Spring sale"}},
        "number": {"value": {"type": "static_select", "selected_option": {"value": PHONE_ID}}},
        "template": {"value": {"type": "static_select", "selected_option": {"value": template_id}}},
        "file": {"value": {"type": "plain_text_input", "value": file}},
        "when": {"value": {"type": "datetimepicker", "selected_date_time": when}},
    }
    return interact(client, {"type": "view_submission", "team": {"id": "T1"}, "user": {"id": user},
                             "api_app_id": "A1", "trigger_id": "1.4",
                             "view": {**view, "id": view_id, "state": {"values": state}}})


def review_of(client, rt, fake_slack, template_id: str = PROMO["id"], **kw: Any) -> dict[str, Any]:
    view = open_form(client, fake_slack)
    r = submit_form(client, view, template_id, **kw)
    assert r.get_json()["response_action"] == "update"  # the "working" view while the job reads the file
    run_worker(rt)
    return fake_slack.updates[-1]["view"]


def confirm(client, review: dict[str, Any], user: str = "U_ADMIN") -> Any:
    return interact(client, {"type": "view_submission", "team": {"id": "T1"}, "user": {"id": user},
                             "api_app_id": "A1", "trigger_id": "1.5",
                             "view": {**review, "id": "V1", "state": {"values": {}}}})


def press(client, fake_slack, message: dict[str, Any], action_id: str, user: str = "U_ADMIN") -> Any:
    [button] = [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]
                if e["action_id"] == action_id]
    return interact(client, {
        "type": "block_actions", "team": {"id": "T1"}, "user": {"id": user}, "api_app_id": "A1",
        "trigger_id": "1.6", "response_url": fake_slack.url + "/response", "channel": {"id": message["channel"]},
        "container": {"type": "message", "message_ts": message["ts"]}, "message": message,
        "actions": [{**button, "block_id": "b"}]})


def text_of(view: dict[str, Any]) -> str:
    return "\n".join(str((b.get("text") or {}).get("text") or "") + " ".join(
        e.get("text", "") for e in b.get("elements", []) if isinstance(e, dict)) for b in view["blocks"])


def test_campaign_modal_lists_only_approved_templates(client, connected, fake_slack):
    view = open_form(client, fake_slack)
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert list(inputs) == ["name", "number", "template", "file", "when", "reply_channel", "overflow"]
    assert [o["value"] for o in inputs["template"]["element"]["options"]] == [CODE["id"], PROMO["id"]]


def test_non_admin_gets_a_refusal(client, connected, fake_slack):
    r = slash_command(client, "campaign", user="U_MEMBER", channel="C_CONNECT")
    assert r.get_json()["text"] == messages.NOT_ALLOWED and not fake_slack.views


def test_campaign_form_submitted_shows_the_review_before_anything_is_sent(client, rt, connected, fake_slack,
                                                                          fake_graph):
    review = review_of(client, rt, fake_slack)
    shown = text_of(review)
    assert "6 recipient(s) read, 1 duplicate(s) removed, 1 invalid" in shown
    assert "1 opted out of marketing" in shown and "*3* will be sent" in shown
    assert "*2* paid message(s), estimated *USD 0.12*; 1 in markets the rate card does not price" in shown
    assert "Messaging limit: 2,000 customers a day; this campaign uses 0% of it" in shown
    assert "Line 3: asked to stop marketing messages" in shown and "Line 4: `not-a-phone` is neither" in shown
    assert "5 (= 2)" in shown
    assert review["submit"]["text"] == messages.CAMPAIGN_CONFIRM
    assert not [s for s in fake_graph.sent if s.get("type") == "template"]
    assert fake_slack.downloads == ["F0LIST001"]


def test_authentication_refuses_customers_known_only_by_bsuid(client, rt, connected, fake_slack):
    fake_slack.share_file("F0CODES01", "codes.csv", "text/csv",
                          b"bsuid,body_1\nAR.1000000002,123456\nUS.1000000009,654321\n")
    shown = text_of(review_of(client, rt, fake_slack, CODE["id"], file="F0CODES01"))
    assert "1 known only by BSUID" in shown and "Line 3: known only by BSUID" in shown  # line 2's phone is known
    assert "*1* will be sent" in shown


@pytest.mark.parametrize(("data", "says"), [
    (b"phone,body_1\n5491155550001,Ana\n", "Line 1: the template needs the column(s) `body_2`"),
    ("phone,body_1,body_2\n5491155550001,José,1\n".encode("latin-1"), "Line 2: the file is not UTF-8"),
    (b"phone,body_1,body_2\n5491155550001,Ana,1\n5491155550009,Bo," + b"x" * 1025 + b"\n",
     "body {{2}}: At most 1024 characters"),
])
def test_a_malformed_file_comes_back_under_its_field(client, rt, connected, fake_slack, data, says):
    fake_slack.share_file("F0BAD0001", "bad.csv", "text/csv", data)
    back = review_of(client, rt, fake_slack, file="F0BAD0001")
    assert says in text_of(back)
    with rt.db.session() as s:
        sent = s.scalars(select(CampaignRecipient).where(CampaignRecipient.state != "pending")).all()
    assert not sent


def test_another_members_file_from_another_channel_is_refused(client, rt, connected, fake_slack):
    fake_slack.share_file("F0SECRET1", "vip.csv", "text/csv", LIST.encode(), user="U_OTHER", channels=(),
                          groups=("G_PRIVATE",))
    back = review_of(client, rt, fake_slack, file="F0SECRET1")
    assert messages.SEND_MEDIA_NOT_YOURS in text_of(back) and review_of is not None
    assert "F0SECRET1" not in fake_slack.downloads


def test_campaign_review_submitted_sends_each_recipient_once_with_progress_and_report(client, rt, connected,
                                                                                     fake_slack, fake_graph):
    review = review_of(client, rt, fake_slack)
    done = confirm(client, review).get_json()
    assert done["response_action"] == "update" and "confirmed" in text_of(done["view"])
    run_worker(rt)
    sent = [s for s in fake_graph.sent if s.get("type") == "template"]
    assert sorted(s["to"] for s in sent) == ["15551230000", "4312345678", "5491155550001"]
    ana = next(s for s in sent if s["to"] == "5491155550001")
    assert ana["template"]["components"] == [{"type": "body", "parameters": [
        {"type": "text", "text": "Ana"}, {"type": "text", "text": "20%"}]}]
    progress = next(m for m in fake_slack.messages if m["channel"] == "C_CONNECT" and "Campaign Spring sale" in
                    m["text"])
    last = [e for e in fake_slack.edits if e["ts"] == progress["ts"]][-1]
    assert "3 / 3" in last["text"] and "sent 3" in last["text"] and "all sent" in last["text"]
    assert not fake_slack.files  # the final report waits for Meta's statuses of the messages (campaigns.final)
    post_webhook(client, wa_payload([], statuses=[
        {"id": s["id"], "status": "read", "timestamp": "1700000100", "recipient_id": s["to"]}
        for s in sent_ids(rt)]))
    run_worker(rt)
    time.sleep(defaults.CAMPAIGN_PROGRESS_EVERY + 0.2)  # the statuses' progress refresh, at Slack's pace
    run_due_scheduled(rt)
    run_worker(rt)
    [report] = [f for f in fake_slack.files if f.get("channel_id") == "C_CONNECT" or f.get("channel") == "C_CONNECT"]
    assert len(report["files"]) == 2
    assert "read 3" in fake_slack.edits[-1]["text"]  # the report came with every status counted
    confirm(client, review)  # a second confirmation sends nothing again
    run_worker(rt)
    assert len([s for s in fake_graph.sent if s.get("type") == "template"]) == 3


def test_statuses_and_replies_land_on_the_campaign(client, rt, connected, fake_slack, fake_graph):
    confirm(client, review_of(client, rt, fake_slack))
    run_worker(rt)
    with rt.db.session() as s:
        rows = {r.phone: r for r in s.scalars(select(CampaignRecipient))}
    ana, dee = rows["5491155550001"].message_id, rows["4312345678"].message_id
    alerts_before = len(fake_slack.messages)
    post_webhook(client, wa_payload([], statuses=[
        {"id": ana, "status": "read", "timestamp": "1700000100", "recipient_id": "5491155550001",
         "pricing": {"billable": True, "pricing_model": "PMP", "type": "regular", "category": "marketing"}},
        {"id": dee, "status": "failed", "timestamp": "1700000100", "recipient_id": "4312345678",
         "errors": [{"code": 131026, "title": "Message undeliverable"}]}]))
    post_webhook(client, wa_payload([{**wa_message("wamid.IN1", "5491155550001", "Yes please!"),
                                      "context": {"from": "15550783881", "id": ana}}]))
    run_worker(rt)
    with rt.db.session() as s:
        rows = {r.phone: r for r in s.scalars(select(CampaignRecipient))}
    assert (rows["5491155550001"].status, rows["5491155550001"].pricing_category) == ("read", "marketing")
    assert rows["5491155550001"].replied
    assert (rows["4312345678"].status, rows["4312345678"].error) == ("failed", "131026 Message undeliverable")
    assert not any("131026" in m["text"] for m in fake_slack.messages[alerts_before:])  # counted, not alerted
    time.sleep(defaults.CAMPAIGN_PROGRESS_EVERY + 0.2)  # one refresh for all of them, at the progress message's pace
    run_due_scheduled(rt)
    run_worker(rt)
    last = fake_slack.edits[-1]["text"]
    assert "delivered 1" in last and "read 1" in last and "failed 1" in last and "replied 1" in last
    assert "131026 Message undeliverable ×1" in str(fake_slack.edits[-1]["blocks"])
    post_webhook(client, wa_payload([], statuses=[  # Meta redelivers: billed once
        {"id": ana, "status": "read", "timestamp": "1700000100", "recipient_id": "5491155550001",
         "pricing": {"pricing_model": "PMP", "type": "regular", "category": "marketing"}}]))
    run_worker(rt)
    assert billable(rt) == {"marketing": 1.0}


def sent_ids(rt) -> list[dict[str, str]]:
    with rt.db.session() as s:
        return [{"id": str(r.message_id), "to": str(r.phone)} for r in s.scalars(select(CampaignRecipient))
                if r.message_id]


def billable(rt) -> dict[str, float]:
    from metaops.counters import RedisCollector

    [family] = [f for f in RedisCollector(rt.redis).collect() if f.name == "metaops_messages_billable"]
    return {s.labels["category"]: s.value for s in family.samples if s.name.endswith("_total")}


def test_campaign_decided_by_a_second_admin(client, rt, connected, fake_slack, fake_graph, monkeypatch):
    monkeypatch.setattr(defaults, "CAMPAIGN_APPROVAL_RECIPIENTS", 2)
    review = review_of(client, rt, fake_slack)
    assert review["submit"]["text"] == messages.CAMPAIGN_ASK_APPROVAL
    confirm(client, review)
    request = next(m for m in fake_slack.messages if "asks to send campaign" in m["text"])
    press(client, fake_slack, request, "campaign_approve")  # the requester's own: refused
    run_worker(rt)
    assert not [s for s in fake_graph.sent if s.get("type") == "template"]
    press(client, fake_slack, request, "campaign_approve", user="U_OWNER")
    until_state(rt, "scheduled")
    run_worker(rt)
    assert len([s for s in fake_graph.sent if s.get("type") == "template"]) == 3
    with rt.db.session() as s:
        c = s.scalars(select(Campaign)).one()
    assert (c.state, c.decided_by) == ("done", "U_OWNER")


def test_rejected_campaign_sends_nothing(client, rt, connected, fake_slack, fake_graph, monkeypatch):
    monkeypatch.setattr(defaults, "CAMPAIGN_APPROVAL_COST", 0.01)
    confirm(client, review_of(client, rt, fake_slack))
    request = next(m for m in fake_slack.messages if "asks to send campaign" in m["text"])
    press(client, fake_slack, request, "campaign_reject", user="U_OWNER")
    until_state(rt, "rejected")
    run_worker(rt)
    assert _state(rt) == "rejected" and not [s for s in fake_graph.sent if s.get("type") == "template"]


def test_campaign_controlled_pause_resume_cancel(client, rt, connected, fake_slack, fake_graph):
    confirm(client, review_of(client, rt, fake_slack))
    progress = next(m for m in fake_slack.messages if "Campaign Spring sale" in m["text"])
    progress = {**progress, "blocks": fake_slack.edits[-1]["blocks"] if fake_slack.edits else progress["blocks"]}
    press(client, fake_slack, progress, "campaign_pause")
    until_state(rt, "paused")
    run_worker(rt)
    assert _state(rt) == "paused" and not [s for s in fake_graph.sent if s.get("type") == "template"]
    progress = {**progress, "blocks": fake_slack.edits[-1]["blocks"]}
    press(client, fake_slack, progress, "campaign_cancel")
    until_state(rt, "cancelled")
    run_worker(rt)
    assert _state(rt) == "cancelled" and not [s for s in fake_graph.sent if s.get("type") == "template"]


def test_a_campaign_for_later_waits_for_its_time(client, rt, connected, fake_slack, fake_graph):
    confirm(client, review_of(client, rt, fake_slack, when=int(time.time()) + 3600))
    run_worker(rt)  # the send job is scheduled an hour ahead: nothing due now
    from metaops.campaigns import sender

    with rt.db.session() as s:
        campaign_id = s.scalars(select(Campaign.id)).one()
    assert sender.run(rt, campaign_id) == "not yet"  # a job that comes early (a resume) waits too
    assert _state(rt) == "scheduled" and not [s for s in fake_graph.sent if s.get("type") == "template"]
    assert sender.resume_all(rt) == 0  # the clock's sweep leaves it to its time


def test_template_paused_by_meta_pauses_the_campaign(client, rt, connected, fake_slack, fake_graph):
    from tests.fakes.meta_graph import graph_error

    confirm(client, review_of(client, rt, fake_slack))
    fake_graph.refuse_sends = graph_error(132015, "(#132015) Template is paused", 400)
    run_worker(rt)
    assert _state(rt) == "paused"
    assert any("stopped sending" in m["text"] and "paused the template" in m["text"] for m in fake_slack.messages)
    with rt.db.session() as s:
        states = sorted(r.state for r in s.scalars(select(CampaignRecipient)))
    assert states == ["failed", "pending", "pending"]


def test_report_csv_has_every_recipient(rt, client, connected, fake_slack, fake_graph):
    from metaops.campaigns.report import recipients_csv

    confirm(client, review_of(client, rt, fake_slack))
    run_worker(rt)
    with rt.db.session() as s:
        campaign_id = s.scalars(select(Campaign.id)).one()
    rows = list(csv.DictReader(io.StringIO(recipients_csv(rt, campaign_id).decode())))
    assert [(r["line"], r["outcome"]) for r in rows] == [("2", "sent"), ("6", "sent"), ("7", "sent")]


def until_state(rt, state: str, timeout: float = 20.0) -> None:
    """Wait for the work a button's listener does after its ack (scheduled: until its send job is queued too, which
    comes after the progress message)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and (_state(rt) != state or state == "scheduled" and not any(
            job_call(rt.redis, j)[0] == "metaops.jobs.send_campaign" for j in waiting_job_ids(rt.redis)
            if rt.redis.exists(f"rq:job:{j}"))):
        time.sleep(0.05)


def _state(rt) -> str:
    with rt.db.session() as s:
        return s.scalars(select(Campaign.state)).one()
