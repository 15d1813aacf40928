"""Account-level and template webhooks (issue 21): each payload file, shaped after Meta's webhook reference, becomes
one post in the right channel saying in a short sentence what happened, Meta's codes in words, never a raw event
name alone and never the "does not show yet" note."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from metaops.delivery import handlers, render_account
from store.models import Template
from tests.helpers import fixture
from tests.scenarios.test_notifications import deliver
from tests.scenarios.test_peer_payloads import PAYLOADS, _pointed

ALERTS = [
    ("account_alerts.json", ["Meta put off deciding on a higher messaging limit", "(business portfolio)",
                             "Meta says: Limits cannot be increased for your business Lucky Shrub"]),
    ("account_update_violation.json", ["broke its policies or terms", "Violation: adult"]),
    ("account_update_restriction.json", ["restricted what the WhatsApp Business Account may do",
                                         "no conversations started by the business until 2025-02-12",
                                         "no new phone numbers until 2025-02-12"]),
    ("account_update_disabled.json", ["will be disabled on February 12, 2025"]),
    ("account_update_location.json", ["primary location was set", "Country: IN"]),
    ("account_update_partner_added.json", ["shared with a Solution Partner"]),
    ("account_update_partner_removed.json", ["no longer shared with a Solution Partner",
                                             "the main device was inactive for about 14 days (started by Meta)"]),
    ("account_update_pricing_tier.json", ["new volume pricing tier",
                                          "Utility messages in India: tier 25000001:50000000 from 2025-11"]),
    ("account_update_auth_intl.json", ["authentication-international rates", "From 2024-10-01 (except ID from "
                                                                              "2024-11-01)"]),
    ("account_update.json", ["Meta verified the account", "Number: +15550783881"]),
    ("account_review_update.json", ["review of the WhatsApp Business Account: *approved*"]),
    ("business_capability_update.json", ["may now message 2,000 customers a day", "at most 25 number(s) per account"]),
    ("phone_number_name_update.json", ["Display name *Lucky Shrub* for +15550783881: *rejected* "
                                       "(name format unacceptable)"]),
    ("security.json", ["Security of +15550783881: the two-step verification PIN was changed"]),
    ("business_username_update.json", ["Username @luckyshrub for +15550783881: *approved*"]),
    ("phone_number_quality_update.json", ["Number +15550783881: quality dropped (flagged), messaging limit 1,000"]),
    ("phone_number_quality_update_business.json", ["messaging limit raised, messaging limit 10,000"]),
    ("template_category_update.json", ["category changed", "*MARKETING*"]),
    ("template_category_correct.json", ["is UTILITY; Meta will move it to *MARKETING* within 24 hours"]),
    ("template_quality_update.json", ["quality changed from high to *medium*"]),
]


@pytest.mark.parametrize("name, said", ALERTS, ids=[a[0].removesuffix(".json") for a in ALERTS])
def test_an_account_or_template_change_is_one_sentence_in_alerts(client, routed, fake_slack, name, said):
    deliver(client, routed, fixture(f"whatsapp/{name}"))
    [alert] = fake_slack.messages
    assert alert["channel"] == "C_ALERTS"
    for words in said:
        assert words in alert["text"], alert["text"]
    assert "does not show yet" not in alert["text"]
    assert not re.search(r"\b[A-Z]+_[A-Z_]+\b", alert["text"].split("\n")[0]), "a raw code of Meta's in the sentence"


TEMPLATES = [
    ("template_status_rejected_info.json", ["*abandoned_cart* (en, MARKETING) is now *REJECTED*",
                                            "Reason: invalid format",
                                            "Meta says: Variables are placed next to each other",
                                            "Meta recommends: Put words or punctuation between the variables."]),
    ("template_status_disabled.json", ["is now *DISABLED*", "Disabled on 2025-06-29"]),
    ("template_status_rejected.json", ["Reason: invalid format", "Meta says: Fix the format — Remove the link"]),
    ("template_components_update.json", ["*order_confirmation* (en_US) content changed at Meta",
                                         "Header: Your order is confirmed!", "Footer: Lucky Shrub",
                                         "Buttons: Track it"]),
]


@pytest.mark.parametrize("name, said", TEMPLATES, ids=[t[0].removesuffix(".json") for t in TEMPLATES])
def test_a_template_status_or_content_change_is_shown_readably_in_templates(client, routed, fake_slack, name, said):
    deliver(client, routed, fixture(f"whatsapp/{name}"))
    [post] = fake_slack.messages
    assert post["channel"] == "C_TPL"
    for words in said:
        assert words in post["text"], post["text"]


def test_the_stored_template_keeps_metas_own_rejection_sentence(client, routed, fake_slack):
    with routed.db.session() as s:
        s.add(Template(id="5", team_id="T1", waba_id="102290129340398", name="abandoned_cart", language="en",
                       category="MARKETING", status="PENDING"))
    deliver(client, routed, fixture("whatsapp/template_status_rejected_info.json"))
    with routed.db.session() as s:
        t = s.get_one(Template, "5")
        assert t.status == "REJECTED" and t.rejected_reason.startswith("Variables are placed next to each other")


def test_an_alert_that_is_no_longer_active_says_so_and_an_unknown_type_is_in_words(client, routed, fake_slack):
    deliver(client, routed, fixture("whatsapp/account_alerts.json", entity_type="PHONE_NUMBER", entity_id="PN9",
                                    alert_info={"alert_type": "SOMETHING_NEW", "alert_status": "NONE",
                                                "alert_severity": "CRITICAL", "alert_description": None}))
    [alert] = fake_slack.messages
    assert alert["text"] == \
        ":rotating_light: Meta sent an account alert: something new (number `PN9`) — no longer active"


def test_an_account_event_meta_adds_later_is_said_in_words(client, routed, fake_slack):
    deliver(client, routed, fixture("whatsapp/account_update_location.json", event="BRAND_NEW_EVENT", country=None))
    [alert] = fake_slack.messages
    assert alert["text"] == ":office: WhatsApp Business Account: brand new event."


def _fields(path: Path) -> set[str]:
    body = json.loads(path.read_text())
    return {str(c.get("field")) for e in body.get("entry") or [] for c in e.get("changes") or []}


SHOWN = set(render_account.FIELDS) | set(handlers.TEMPLATE_ROUTES)
PEER_ACCOUNT = [p for p in PAYLOADS if _fields(p) & SHOWN]


@pytest.mark.skipif(not PAYLOADS, reason="no peer payloads (see test_peer_payloads)")
def test_the_peer_corpus_has_account_and_template_payloads():
    assert len(PEER_ACCOUNT) >= 19


@pytest.mark.parametrize("path", PEER_ACCOUNT, ids=[p.stem for p in PEER_ACCOUNT])
def test_a_peer_account_or_template_payload_is_shown_in_a_sentence(path, client, routed, fake_slack):
    deliver(client, routed, _pointed(json.loads(path.read_text())))
    [post] = fake_slack.messages
    assert "does not show yet" not in post["text"] and "None" not in post["text"], post["text"]
    assert not re.search(r"\b[A-Z]+_[A-Z_]+\b", post["text"].split("\n")[0]), post["text"]
