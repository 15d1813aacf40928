"""Meta's template rules: each with a passing and a failing case."""

from __future__ import annotations

import pytest

from integrations.meta.template_rules import Draft, check, draft_from_components, field_for_meta_error


def draft(**kw) -> Draft:
    base = dict(name="order_update", language="en_US", category="UTILITY", body="Hi {{1}}, order {{2}} shipped.",
                body_examples="Ana, 18273")
    return Draft(**{**base, **kw})


def test_a_good_draft_passes_and_builds_components():
    c = check(draft(header="Order {{1}}", header_example="18273", footer="Reply STOP to opt out",
                    buttons="Track | https://acme.test/t\nCall us | +15551234567\nThanks"))
    assert c.errors == {}
    assert [x["type"] for x in c.components] == ["HEADER", "BODY", "FOOTER", "BUTTONS"]
    assert c.components[0]["example"] == {"header_text": ["18273"]}
    assert c.components[1]["example"] == {"body_text": [["Ana", "18273"]]}
    assert [b["type"] for b in c.components[3]["buttons"]] == ["URL", "PHONE_NUMBER", "QUICK_REPLY"]


@pytest.mark.parametrize("field, good, bad", [
    ("name", "order_update_2", "Order Update"),
    ("name", "a" * 512, "a" * 513),
    ("language", "pt_BR", "english"),
    ("category", "MARKETING", "PROMO"),
    ("header", "Your order", "x" * 61),
    ("header", "Order {{1}}", "Order {{1}} {{2}}"),
    ("footer", "Thanks", "y" * 61),
    ("footer", "Thanks", "Thanks {{1}}"),
])
def test_field_rules(field, good, bad):
    extra = {"header_example": "1"} if field == "header" else {}
    assert field not in check(draft(**{field: good}, **extra)).errors
    assert field in check(draft(**{field: bad}, **extra)).errors


def test_header_variable_needs_an_example():
    assert "header_example" in check(draft(header="Order {{1}}")).errors
    assert check(draft(header="Order {{1}}", header_example="18273")).errors == {}


@pytest.mark.parametrize("body, examples, field", [
    ("x" * 1025, "", "body"),
    ("Hi {{2}} and {{1}}", "a, b", "body"),  # out of order
    ("Hi {{1}} and {{3}}", "a, b", "body"),  # a gap
    ("{{1}} is here", "a", "body"),  # at the start
    ("Here is {{1}}", "a", "body"),  # at the end
    ("Hi {{1}} {{2}} there", "a, b", "body"),  # side by side
    ("Hi {{1}}, order {{2}} shipped.", "Ana", "body_examples"),  # one example missing
    ("No variables here.", "extra", "body_examples"),
    ("", "", "body"),
])
def test_body_rules(body, examples, field):
    assert field in check(draft(body=body, body_examples=examples)).errors


def test_body_at_the_limit_passes():
    assert check(draft(body="a" * 1024, body_examples="")).errors == {}


@pytest.mark.parametrize("buttons, ok", [
    ("\n".join(f"Reply {i}" for i in range(10)), True),
    ("\n".join(f"Reply {i}" for i in range(11)), False),
    ("A | https://a.test\nB | https://b.test", True),
    ("A | https://a.test\nB | https://b.test\nC | https://c.test", False),
    ("A | +15551234567", True),
    ("A | +15551234567\nB | +15557654321", False),
    ("Yes\nNo\nSite | https://a.test", True),
    ("Yes\nSite | https://a.test\nNo", False),  # quick replies not grouped
    ("x" * 25, True),
    ("x" * 26, False),
    ("Visit | not a link", False),
])
def test_button_rules(buttons, ok):
    assert ("buttons" not in check(draft(buttons=buttons)).errors) is ok


def test_editing_ignores_name_and_language():
    assert check(draft(name="", language=""), editing=True).errors == {}


def test_components_round_trip_for_edit():
    c = check(draft(header="Order {{1}}", header_example="7", footer="f", buttons="Yes\nSite | https://a.test"))
    d = draft_from_components("order_update", "en_US", "UTILITY", c.components)
    assert check(d).components == c.components


def test_meta_refusals_map_to_fields():
    assert field_for_meta_error("Message template already exists with this name") == "name"
    assert field_for_meta_error("Body text not allowed") == "body"
    assert field_for_meta_error("Something else") == "body"
