"""Every template kind from the template modal: media headers (the sample read from Slack with the bot token and
handed to Meta's resumable upload for its handle), authentication templates (OTP buttons COPY_CODE, ONE_TAP,
ZERO_TAP) and copy-code and Flow buttons; each kind's components exactly as Meta receives them, and each rule's
refusal under its field in the modal."""

from __future__ import annotations

import json

import pytest

from integrations.meta import uploads
from metaops import messages
from tests.fakes.meta_graph import APP_ID, graph_error
from tests.helpers import connect_whatsapp, interact, run_worker, slash_command

LABELS = ("Name", "Language", "Category", "Header", "Header example", "Body", "Body examples", "Footer", "Buttons")
APP = "com.example.app | K8a/AINcGX7"
BASE = {"name": "kinds", "language": "en_US", "category": "UTILITY", "body": "Hi {{1}}, your order shipped.",
        "body_examples": "Ana"}


@pytest.fixture
def connected(rt, fake_graph):
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    return rt


def open_modal(client, fake_slack):
    slash_command(client, "template new", user="U_ADMIN", channel="C_CONNECT")
    return fake_slack.views[-1]


def submit(client, view, values, view_id="V1"):
    state = {}
    for key, value in values.items():
        if key == "category":
            state[key] = {"value": {"type": "static_select", "selected_option": {"value": value}}}
        elif key == "auth_options":
            state[key] = {"value": {"type": "checkboxes", "selected_options": [{"value": v} for v in value]}}
        else:
            state[key] = {"value": {"type": "plain_text_input", "value": value}}
    view = {**view, "id": view_id, "state": {"values": state}}
    return interact(client, {"type": "view_submission", "team": {"id": "T1"}, "user": {"id": "U_ADMIN"},
                             "view": view, "api_app_id": "A1", "trigger_id": "1.2"}).get_json()


def created(fake_graph):
    """The template creations Meta received."""
    return [c.params for c in fake_graph.calls if c.method == "POST" and c.path.endswith("/message_templates")]


def test_the_modal_keeps_specs_labels_and_adds_the_kinds_inputs(client, connected, fake_slack):
    view = open_modal(client, fake_slack)
    inputs = {b["label"]["text"]: b for b in view["blocks"] if b["type"] == "input"}
    assert set(LABELS) <= set(inputs)
    for label in ("Header sample file", "Authentication options", "Code expires in (minutes)", "Android apps"):
        assert inputs[label]["optional"] is True
    assert inputs["Body"]["optional"] is True  # authentication templates leave it to Meta; the rules ask otherwise
    assert [o["value"] for o in inputs["Authentication options"]["element"]["options"]] == ["security",
                                                                                           "zero_tap_terms"]
    assert "FLOW:" in inputs["Buttons"]["hint"]["text"] and "OTP:" in inputs["Buttons"]["hint"]["text"]


@pytest.mark.parametrize("name, mime, kind", [("promo.png", "image/png", "IMAGE"), ("clip.mp4", "video/mp4", "VIDEO"),
                                              ("menu.pdf", "application/pdf", "DOCUMENT")])
def test_a_media_header_is_uploaded_for_its_handle(client, connected, fake_slack, fake_graph, name, mime, kind):
    data = bytes(range(256)) * 40
    fake_slack.share_file("F0SAMPLE01", name, mime, data)
    view = open_modal(client, fake_slack)
    answer = submit(client, view, {**BASE, "header_sample": "https://acme.slack.com/files/U1/F0SAMPLE01/" + name})
    assert answer["response_action"] == "update"
    assert not [c for c in fake_graph.calls if "uploads" in c.path]  # nothing goes to Meta before the ack
    run_worker(connected)

    [opened] = [c for c in fake_graph.calls if c.path == f"/v26.0/{APP_ID}/uploads"]
    assert opened.query["file_name"] == name and opened.query["file_length"] == str(len(data))
    assert opened.query["file_type"] == mime and opened.headers["Authorization"].startswith("Bearer ")
    [sent] = [c for c in fake_graph.calls if c.path.startswith("/v26.0/upload:")]
    assert sent.headers["Authorization"] == "OAuth " + opened.headers["Authorization"].removeprefix("Bearer ")
    assert sent.headers["file_offset"] == "0" and sent.raw == data and sent.query["sig"] == "ARZfake"
    [handle] = fake_graph.handles
    assert fake_graph.handles[handle]["bytes"] == data and fake_slack.downloads == ["F0SAMPLE01"]
    [template] = created(fake_graph)
    assert template["components"] == [
        {"type": "HEADER", "format": kind, "example": {"header_handle": [handle]}},
        {"type": "BODY", "text": "Hi {{1}}, your order shipped.", "example": {"body_text": [["Ana"]]}}]
    assert "PENDING" in json.dumps(fake_slack.updates[-1]["view"])


@pytest.mark.parametrize("file, values, words", [
    (("F0GIF0001", "a.gif", "image/gif", b"GIF89a"), {"header_sample": "F0GIF0001"}, "image/gif"),
    (("F0BIG0001", "a.png", "image/png", b"x" * (5 * 2**20 + 1)), {"header_sample": "F0BIG0001"}, "5 MB"),
    (None, {"header_sample": "F0MISSING1"}, "cannot read"),
    (None, {"header_sample": "my picture"}, "link or id"),
    (("F0PNG0001", "a.png", "image/png", b"png"), {"header_sample": "F0PNG0001", "header": "Hi"}, "not both"),
])
def test_a_bad_sample_is_refused_under_its_field(client, connected, fake_slack, fake_graph, file, values, words):
    if file:
        fake_slack.share_file(*file)
    answer = submit(client, open_modal(client, fake_slack), {**BASE, **values})
    assert answer["response_action"] == "errors"
    field = "header" if "header" in values else "header_sample"
    assert words in answer["errors"][field]
    assert not [c for c in fake_graph.calls if "upload" in c.path] and created(fake_graph) == []


def test_another_members_sample_from_another_channel_is_refused(client, connected, fake_slack, fake_graph):
    """Issue 20: the sample must be the submitter's own file or shared in the form's channel (#C_CONNECT)."""
    fake_slack.share_file("F0SECRET2", "payroll.png", "image/png", b"\x89PNG" * 10, user="U_OTHER",
                          channels=("C_HR",))
    answer = submit(client, open_modal(client, fake_slack), {**BASE, "header_sample": "F0SECRET2"})
    assert answer["response_action"] == "errors"
    assert answer["errors"] == {"header_sample": messages.SEND_MEDIA_NOT_YOURS}
    run_worker(connected)
    assert fake_slack.downloads == [] and not [c for c in fake_graph.calls if "upload" in c.path]
    assert created(fake_graph) == []


@pytest.mark.parametrize("owner, channels", [("U_ADMIN", ("C_HR",)), ("U_OTHER", ("C_CONNECT",))])
def test_own_sample_or_one_shared_in_the_forms_channel_is_used(client, connected, fake_slack, fake_graph, owner,
                                                              channels):
    fake_slack.share_file("F0SAMPLE04", "promo.png", "image/png", b"\x89PNG" * 10, user=owner, channels=channels)
    answer = submit(client, open_modal(client, fake_slack), {**BASE, "header_sample": "F0SAMPLE04"})
    assert answer["response_action"] == "update"
    run_worker(connected)
    assert fake_slack.downloads == ["F0SAMPLE04"] and len(created(fake_graph)) == 1


def test_metas_refused_upload_comes_back_under_the_sample(client, connected, fake_slack, fake_graph):
    fake_slack.share_file("F0SAMPLE02", "promo.png", "image/png", b"\x89PNG" * 10)
    fake_graph.refuse_uploads = graph_error(100, "(#100) Invalid file", 400, None, "File not accepted",
                                            "The file could not be processed.")
    submit(client, open_modal(client, fake_slack), {**BASE, "header_sample": "F0SAMPLE02"})
    run_worker(connected)
    blocks = fake_slack.updates[-1]["view"]["blocks"]
    ids = [b.get("block_id") for b in blocks]
    assert ids.index("meta_error_header_sample") == ids.index("header_sample") + 1
    assert "could not be processed" in json.dumps(blocks[ids.index("meta_error_header_sample")])
    assert created(fake_graph) == []


@pytest.mark.parametrize("values, components", [
    ({"buttons": "OTP:COPY_CODE"},
     [{"type": "BODY", "add_security_recommendation": False},
      {"type": "BUTTONS", "buttons": [{"type": "OTP", "otp_type": "COPY_CODE"}]}]),
    ({"buttons": "Copy code | OTP:COPY_CODE", "auth_options": ["security"], "code_expiration": "10"},
     [{"type": "BODY", "add_security_recommendation": True}, {"type": "FOOTER", "code_expiration_minutes": 10},
      {"type": "BUTTONS", "buttons": [{"type": "OTP", "otp_type": "COPY_CODE", "text": "Copy code"}]}]),
    ({"buttons": "Autofill | OTP:ONE_TAP", "android_apps": APP},
     [{"type": "BODY", "add_security_recommendation": False},
      {"type": "BUTTONS", "buttons": [{"type": "OTP", "otp_type": "ONE_TAP", "autofill_text": "Autofill",
                                       "supported_apps": [{"package_name": "com.example.app",
                                                           "signature_hash": "K8a/AINcGX7"}]}]}]),
    ({"buttons": "OTP:ZERO_TAP", "android_apps": APP, "auth_options": ["zero_tap_terms", "security"],
      "code_expiration": "5"},
     [{"type": "BODY", "add_security_recommendation": True}, {"type": "FOOTER", "code_expiration_minutes": 5},
      {"type": "BUTTONS", "buttons": [{"type": "OTP", "otp_type": "ZERO_TAP", "zero_tap_terms_accepted": True,
                                       "supported_apps": [{"package_name": "com.example.app",
                                                           "signature_hash": "K8a/AINcGX7"}]}]}]),
])
def test_authentication_templates_reach_meta_as_it_documents(client, connected, fake_slack, fake_graph, values,
                                                              components):
    answer = submit(client, open_modal(client, fake_slack), {"name": "login_code", "language": "en_US",
                                                            "category": "AUTHENTICATION", **values})
    assert answer["response_action"] == "update", answer
    run_worker(connected)
    [template] = created(fake_graph)
    assert template["category"] == "AUTHENTICATION" and template["components"] == components


@pytest.mark.parametrize("values, field", [
    ({"body": "Your code is {{1}}.", "buttons": "OTP:COPY_CODE"}, "body"),
    ({"footer": "Hurry", "buttons": "OTP:COPY_CODE"}, "footer"),
    ({"buttons": "OTP:COPY_CODE", "code_expiration": "91"}, "code_expiration"),
    ({"buttons": "Thanks"}, "buttons"),
    ({"buttons": "OTP:ONE_TAP"}, "android_apps"),
    ({"buttons": "OTP:ONE_TAP", "android_apps": "com.example.app | nope"}, "android_apps"),
    ({"buttons": "OTP:ZERO_TAP", "android_apps": APP}, "auth_options"),
    ({"buttons": "OTP:COPY_CODE", "android_apps": APP}, "android_apps"),
])
def test_authentication_rules_show_under_their_fields(client, connected, fake_slack, fake_graph, values, field):
    answer = submit(client, open_modal(client, fake_slack), {"name": "login_code", "language": "en_US",
                                                            "category": "AUTHENTICATION", **values})
    assert answer["response_action"] == "errors" and field in answer["errors"], answer
    assert created(fake_graph) == []


def test_copy_code_and_flow_buttons_reach_meta(client, connected, fake_slack, fake_graph):
    answer = submit(client, open_modal(client, fake_slack), {
        **BASE, "category": "MARKETING", "body": "Hi {{1}}, use code FALL25 for 25% off.",
        "buttons": "Copy code | COPY:FALL25\nBook a fitting | FLOW:1234567890:WELCOME\nNot interested"})
    assert answer["response_action"] == "update", answer
    run_worker(connected)
    [template] = created(fake_graph)
    assert template["components"][-1] == {"type": "BUTTONS", "buttons": [
        {"type": "COPY_CODE", "example": "FALL25"},
        {"type": "FLOW", "text": "Book a fitting", "flow_id": "1234567890", "flow_action": "navigate",
         "navigate_screen": "WELCOME"},
        {"type": "QUICK_REPLY", "text": "Not interested"}]}


@pytest.mark.parametrize("category, buttons, words", [
    ("UTILITY", "COPY:FALL25", "MARKETING"),
    ("MARKETING", "COPY:THIS_CODE_IS_TOO_LONG", "15"),
    ("MARKETING", "Go | FLOW:flow-one", "Flow's id"),
    ("MARKETING", "Go | FLOW:1\nAgain | FLOW:2", "1 Flow"),
    ("UTILITY", "OTP:COPY_CODE", "AUTHENTICATION"),
])
def test_button_kind_rules_show_under_buttons(client, connected, fake_slack, fake_graph, category, buttons, words):
    answer = submit(client, open_modal(client, fake_slack), {**BASE, "category": category, "buttons": buttons})
    assert answer["response_action"] == "errors" and words in answer["errors"]["buttons"], answer
    assert created(fake_graph) == []


def test_editing_a_media_header_template_keeps_its_handle(client, connected, fake_slack, fake_graph):
    fake_slack.share_file("F0SAMPLE03", "promo.jpg", "image/jpeg", b"\xff\xd8jpeg" * 20)
    submit(client, open_modal(client, fake_slack), {**BASE, "header_sample": "F0SAMPLE03"})
    run_worker(connected)
    [handle] = fake_graph.handles
    fake_graph.templates[0]["status"] = "APPROVED"
    from metaops.templates import catalog

    catalog.sync(connected, "T1", force=True)
    fake_slack.views.clear()
    slash_command(client, "template edit kinds", user="U_ADMIN", channel="C_CONNECT")
    [view] = fake_slack.views
    assert handle in view["private_metadata"]
    answer = submit(client, view, {"category": "UTILITY", "body": "Hi {{1}}, it shipped today.",
                                   "body_examples": "Ana"}, view_id="V2")
    assert answer["response_action"] == "update", answer
    run_worker(connected)
    [edit] = [c.params for c in fake_graph.calls if c.method == "POST" and c.path.endswith(
        fake_graph.templates[0]["id"])]
    assert edit["components"][0] == {"type": "HEADER", "format": "IMAGE", "example": {"header_handle": [handle]}}
    assert len(fake_graph.handles) == 1  # nothing uploaded again


def test_the_upload_wrapper_refuses_what_meta_would_not_take(connected, fake_graph):
    token = fake_graph.issue_token()
    with pytest.raises(ValueError):
        uploads.start_session(connected.graph, token, "a.gif", 3, "image/gif")
    handle = uploads.upload_file(connected.graph, token, "a.png", b"png", "image/png")
    assert fake_graph.handles[handle]["bytes"] == b"png"
    session = uploads.start_session(connected.graph, token, "b.png", 5, "image/png")
    from integrations.meta.errors import GraphError

    with pytest.raises(GraphError):  # fewer bytes than the session announced
        uploads.upload(connected.graph, token, session, b"png")
