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


# --- every template kind: media headers, authentication (OTP) templates, copy-code and Flow buttons --------------

from integrations.meta.template_rules import media_format  # noqa: E402

PNG = dict(header_sample="F0PNGSAMPLE", header_sample_type="image/png", header_sample_size=2048)
AUTH = dict(category="AUTHENTICATION", body="", body_examples="")
APP = "com.example.app | K8a/AINcGX7"


@pytest.mark.parametrize("mime, kind", [("image/jpeg", "IMAGE"), ("image/png", "IMAGE"), ("video/mp4", "VIDEO"),
                                        ("application/pdf", "DOCUMENT")])
def test_a_media_header_takes_its_format_from_the_sample(mime, kind):
    d = draft(header_sample="https://acme.slack.com/files/U1/F0SAMPLE1/x", header_sample_type=mime,
              header_sample_size=1000, header_handle="4::aGVsbG8=:ARx")
    c = check(d)
    assert c.errors == {} and media_format(d) == kind
    assert c.components[0] == {"type": "HEADER", "format": kind, "example": {"header_handle": ["4::aGVsbG8=:ARx"]}}


@pytest.mark.parametrize("changes, field", [
    ({"header": "Order 5"}, "header"),  # text and a file
    ({"header_sample": "not a slack file"}, "header_sample"),
    ({"header_sample_type": "image/gif"}, "header_sample"),
    ({"header_sample_type": "video/3gpp"}, "header_sample"),  # the resumable upload takes MP4 only
    ({"header_sample_size": 5 * 2**20 + 1}, "header_sample"),
    ({"header_sample_type": "video/mp4", "header_sample_size": 16 * 2**20 + 1}, "header_sample"),
    ({"header_sample_type": "application/pdf", "header_sample_size": 100 * 2**20 + 1}, "header_sample"),
    ({"header_example": "7"}, "header_example"),  # a media header has no variable
])
def test_media_header_rules(changes, field):
    assert field in check(draft(**{**PNG, **changes})).errors
    assert check(draft(**PNG)).errors == {}
    assert check(draft(**{**PNG, "header_sample_size": 5 * 2**20})).errors == {}  # at the limit


def test_an_edited_media_header_keeps_its_stored_handle():
    d = draft(header_format="VIDEO", header_handle="4::old:h")
    assert check(d).components[0] == {"type": "HEADER", "format": "VIDEO", "example": {"header_handle": ["4::old:h"]}}
    again = draft_from_components("order_update", "en_US", "UTILITY", check(d).components)
    assert (again.header_format, again.header_handle) == ("VIDEO", "4::old:h")


@pytest.mark.parametrize("buttons, extra, button", [
    ("OTP:COPY_CODE", {}, {"type": "OTP", "otp_type": "COPY_CODE"}),
    ("Copy it | otp:copy_code", {}, {"type": "OTP", "otp_type": "COPY_CODE", "text": "Copy it"}),
    ("Autofill | OTP:ONE_TAP", {"android_apps": APP},
     {"type": "OTP", "otp_type": "ONE_TAP", "autofill_text": "Autofill",
      "supported_apps": [{"package_name": "com.example.app", "signature_hash": "K8a/AINcGX7"}]}),
    ("OTP:ZERO_TAP", {"android_apps": APP, "auth_options": "zero_tap_terms"},
     {"type": "OTP", "otp_type": "ZERO_TAP", "zero_tap_terms_accepted": True,
      "supported_apps": [{"package_name": "com.example.app", "signature_hash": "K8a/AINcGX7"}]}),
])
def test_authentication_templates_as_meta_takes_them(buttons, extra, button):
    c = check(draft(**AUTH, buttons=buttons, **extra))
    assert c.errors == {}
    assert c.components == [{"type": "BODY", "add_security_recommendation": False},
                            {"type": "BUTTONS", "buttons": [button]}]
    c = check(draft(**AUTH, buttons=buttons, code_expiration="10", **{**extra, "auth_options": ",".join(
        x for x in ("security", extra.get("auth_options", "")) if x)}))
    assert c.components[0] == {"type": "BODY", "add_security_recommendation": True}
    assert c.components[1] == {"type": "FOOTER", "code_expiration_minutes": 10}
    again = draft_from_components("otp", "en_US", "AUTHENTICATION", c.components)
    assert check(again).components == c.components


@pytest.mark.parametrize("changes, field", [
    ({"body": "Your code is {{1}}", "body_examples": "123"}, "body"),  # Meta writes the body
    ({"body_examples": "123"}, "body_examples"),
    ({"header": "Login"}, "header"),
    ({**PNG}, "header_sample"),
    ({"footer": "Expires soon"}, "footer"),
    ({"code_expiration": "0"}, "code_expiration"),
    ({"code_expiration": "91"}, "code_expiration"),
    ({"code_expiration": "ten"}, "code_expiration"),
    ({"buttons": ""}, "buttons"),  # one OTP button is required
    ({"buttons": "OTP:COPY_CODE\nOTP:COPY_CODE"}, "buttons"),
    ({"buttons": "OTP:COPY_CODE\nThanks"}, "buttons"),
    ({"buttons": "OTP:TWO_TAP"}, "buttons"),
    ({"buttons": "OTP:ONE_TAP"}, "android_apps"),  # one tap names the app
    ({"buttons": "OTP:ONE_TAP", "android_apps": "example | K8a/AINcGX7"}, "android_apps"),  # one segment
    ({"buttons": "OTP:ONE_TAP", "android_apps": "com.1example.app | K8a/AINcGX7"}, "android_apps"),
    ({"buttons": "OTP:ONE_TAP", "android_apps": "com.example.app | short"}, "android_apps"),
    ({"buttons": "OTP:ONE_TAP", "android_apps": "com.example.app"}, "android_apps"),
    ({"buttons": "OTP:ONE_TAP", "android_apps": "\n".join([APP] * 6)}, "android_apps"),
    ({"android_apps": APP}, "android_apps"),  # not for COPY_CODE
    ({"buttons": "OTP:ZERO_TAP", "android_apps": APP}, "auth_options"),  # terms not accepted
    ({"auth_options": "zero_tap_terms"}, "auth_options"),  # terms only for zero tap
])
def test_authentication_rules(changes, field):
    assert check(draft(**{**AUTH, "buttons": "OTP:COPY_CODE", **changes})).errors.keys() >= {field}
    assert check(draft(**AUTH, buttons="OTP:COPY_CODE", code_expiration="90")).errors == {}
    assert check(draft(**AUTH, buttons="OTP:ONE_TAP", android_apps="\n".join([APP] * 5))).errors == {}


@pytest.mark.parametrize("changes, field", [
    ({"auth_options": "security"}, "auth_options"),
    ({"code_expiration": "10"}, "code_expiration"),
    ({"android_apps": APP}, "android_apps"),
    ({"buttons": "OTP:COPY_CODE"}, "buttons"),
    ({"body": ""}, "body"),  # only authentication templates leave the body to Meta
])
def test_authentication_inputs_are_refused_elsewhere(changes, field):
    assert field in check(draft(**changes)).errors


def test_copy_code_and_flow_buttons_as_meta_takes_them():
    c = check(draft(category="MARKETING", buttons="Copy code | COPY:FALL25\nBook | FLOW:1234567890:WELCOME\n"
                                                  "Site | https://acme.test\nStop promos"))
    assert c.errors == {}
    assert c.components[-1]["buttons"] == [
        {"type": "COPY_CODE", "example": "FALL25"},
        {"type": "FLOW", "text": "Book", "flow_id": "1234567890", "flow_action": "navigate",
         "navigate_screen": "WELCOME"},
        {"type": "URL", "text": "Site", "url": "https://acme.test"},
        {"type": "QUICK_REPLY", "text": "Stop promos"}]
    assert check(draft(buttons="Fill in | FLOW:42")).components[-1]["buttons"] == [
        {"type": "FLOW", "text": "Fill in", "flow_id": "42", "flow_action": "navigate"}]
    again = draft_from_components("promo", "en_US", "MARKETING", c.components)
    assert check(again).components == c.components


@pytest.mark.parametrize("category, buttons", [
    ("MARKETING", "COPY:"),  # no code
    ("MARKETING", "COPY:" + "X" * 16),  # longer than 15
    ("MARKETING", "COPY:FALL 25"),  # a space
    ("MARKETING", "COPY:A\nCOPY:B"),  # two
    ("UTILITY", "COPY:FALL25"),  # coupons are marketing
    ("UTILITY", "| FLOW:42"),  # no text
    ("UTILITY", "Go | FLOW:abc"),  # not a Flow id
    ("UTILITY", "Go | FLOW:42:welcome"),  # a screen id is in capitals
    ("UTILITY", "Go | FLOW:42\nAgain | FLOW:43"),  # two
    ("UTILITY", "Yes\nGo | FLOW:42\nNo"),  # quick replies not grouped
])
def test_copy_code_and_flow_rules(category, buttons):
    assert "buttons" in check(draft(category=category, buttons=buttons)).errors
    assert check(draft(category="MARKETING", buttons="COPY:" + "X" * 15 + "\nGo | FLOW:42:WELCOME_1")).errors == {}


def test_upload_and_auth_refusals_map_to_their_fields():
    assert field_for_meta_error("The header_handle is not a valid uploaded file handle") == "header_sample"
    assert field_for_meta_error("Invalid code_expiration_minutes") == "code_expiration"
    assert field_for_meta_error("Invalid package name in supported_apps") == "android_apps"
