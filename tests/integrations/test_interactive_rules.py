"""Meta's limits on interactive messages and quick replies, checked per field before anything is sent, and the
payloads Meta gets (integrations.meta.interactive)."""

from __future__ import annotations

import pytest

from integrations.meta import interactive as i
from integrations.meta.interactive import Draft
from tests.fakes.meta_graph import interactive_refusal, quick_replies_refusal


def buttons(options: str, **kw: str) -> Draft:
    return Draft(kind=i.BUTTONS, body=kw.pop("body", "Which size?"), options=options, **kw)


def a_list(options: str, button: str = "Sizes", **kw: str) -> Draft:
    return Draft(kind=i.LIST, body="Pick one", button=button, options=options, **kw)


def test_reply_buttons_payload_ids_are_the_titles():
    d = buttons("Small\nMedium\n Large ", header="Sizes", footer="Free returns")
    assert i.check(d) == {}
    payload = i.whatsapp_payload(d)
    assert payload == {"type": "button", "body": {"text": "Which size?"}, "header": {"type": "text", "text": "Sizes"},
                       "footer": {"text": "Free returns"}, "action": {"buttons": [
                           {"type": "reply", "reply": {"id": t, "title": t}} for t in ("Small", "Medium", "Large")]}}
    assert interactive_refusal(payload) is None  # the Graph fake takes what we check


@pytest.mark.parametrize(("draft", "field", "words"), [
    (buttons("A\nB\nC\nD"), "options", "at most 3"),
    (buttons(""), "options", "one to three"),
    (buttons("x" * 21), "options", "21 characters; Meta takes at most 20"),
    (buttons("Yes\nYes"), "options", "appears twice"),
    (buttons("Yes", body=""), "body", "Write"),
    (buttons("Yes", body="b" * 1025), "body", "1025 characters; Meta takes at most 1024"),
    (buttons("Yes", header="h" * 61), "header", "at most 60"),
    (buttons("Yes", footer="f" * 61), "footer", "at most 60"),
    (a_list("r" * 25), "options", "25 characters; Meta takes at most 24"),
    (a_list("Row | " + "d" * 73), "options", "73 characters; Meta takes at most 72"),
    (a_list("\n".join(f"Row {n}" for n in range(11))), "options", "at most 10 rows"),
    (a_list("# A\nOne\n# " + "s" * 25 + "\nTwo"), "options", "at most 24"),
    (a_list("# A\nOne\nTwo\n# B"), "options", "no rows"),
    (a_list("One\n# B\nTwo"), "options", "needs a title"),
    (a_list("# A\nOne\n# B\nOne"), "options", "appears twice"),
    (a_list(""), "options", "at least one row"),
    (a_list("One", button=""), "button", "Write"),
    (a_list("One", button="b" * 21), "button", "at most 20"),
    (Draft(kind=i.CTA_URL, body="See", button="Open", url="ftp://x.example"), "url", "https://"),
    (Draft(kind=i.CTA_URL, body="See", button="o" * 21, url="https://shop.example"), "button", "at most 20"),
    (Draft(kind=i.QUICK_REPLIES, body="Pick", options="\n".join(f"q{n}" for n in range(14))), "options",
     "at most 13"),
    (Draft(kind=i.QUICK_REPLIES, body="Pick", options="q" * 21), "options", "at most 20"),
    (Draft(kind=i.QUICK_REPLIES, body="Pick", options=""), "options", "at least one"),
])
def test_each_limit_is_said_under_its_field(draft, field, words):
    errors = i.check(draft)
    assert field in errors and words in errors[field], errors


def test_a_list_with_sections_descriptions_and_its_payload():
    d = a_list("# Shirts\nBlue shirt | Cotton, slim fit\nRed shirt\n# Shoes\nSneakers | All sizes", footer="f")
    assert i.check(d) == {}
    payload = i.whatsapp_payload(d)
    assert payload["action"] == {"button": "Sizes", "sections": [
        {"title": "Shirts", "rows": [{"id": "Blue shirt", "title": "Blue shirt", "description": "Cotton, slim fit"},
                                     {"id": "Red shirt", "title": "Red shirt"}]},
        {"title": "Shoes", "rows": [{"id": "Sneakers", "title": "Sneakers", "description": "All sizes"}]}]}
    assert interactive_refusal(payload) is None


def test_cta_url_location_request_and_quick_replies_payloads():
    cta = Draft(kind=i.CTA_URL, body="Your order", button="Track it", url="https://shop.example/o/1")
    assert i.check(cta) == {} and i.whatsapp_payload(cta)["action"] == {
        "name": "cta_url", "parameters": {"display_text": "Track it", "url": "https://shop.example/o/1"}}
    loc = Draft(kind=i.LOCATION, body="Where should we deliver?", header="ignored")
    assert i.check(loc) == {} and i.whatsapp_payload(loc) == {
        "type": "location_request_message", "body": {"text": "Where should we deliver?"},
        "action": {"name": "send_location"}}
    quick = Draft(kind=i.QUICK_REPLIES, body="Pick a colour", options="Red\nGreen")
    assert i.check(quick) == {} and i.page_payload(quick) == {"text": "Pick a colour", "quick_replies": [
        {"content_type": "text", "title": "Red", "payload": "Red"},
        {"content_type": "text", "title": "Green", "payload": "Green"}]}
    assert quick_replies_refusal(i.page_payload(quick)) is None


def test_the_graph_fake_refuses_what_meta_refuses():
    over = {"type": "button", "body": {"text": "x"}, "action": {"buttons": [
        {"type": "reply", "reply": {"id": str(n), "title": str(n)}} for n in range(4)]}}
    assert "buttons count" in interactive_refusal(over)
    long_row = {"type": "list", "body": {"text": "x"}, "action": {"button": "b", "sections": [
        {"rows": [{"id": "1", "title": "r" * 25}]}]}}
    assert "Row title" in interactive_refusal(long_row)
    assert "13" in quick_replies_refusal({"text": "x", "quick_replies": [
        {"content_type": "text", "title": "t", "payload": "p"}] * 14})
