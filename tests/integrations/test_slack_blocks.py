"""Block Kit helpers: the dicts Slack takes, keys left out when not given; mrkdwn escaping."""

from integrations.slack import blocks as b
from integrations.slack.mrkdwn import escape
from metaops.delivery import render


def test_text_objects_and_option():
    assert b.plain("Hi") == {"type": "plain_text", "text": "Hi"}
    assert b.mrkdwn("*Hi*") == {"type": "mrkdwn", "text": "*Hi*"}
    assert b.option("Page", "p1") == {"text": {"type": "plain_text", "text": "Page"}, "value": "p1"}


def test_section_context_actions():
    assert b.section("x") == {"type": "section", "text": {"type": "mrkdwn", "text": "x"}}
    go = b.button("Go", "go")
    assert b.section("x", accessory=go)["accessory"] == go
    assert b.context_block("a", "b") == {"type": "context", "elements": [b.mrkdwn("a"), b.mrkdwn("b")]}
    assert b.actions(go, go) == {"type": "actions", "elements": [go, go]}


def test_button_sends_only_what_is_given():
    assert b.button("Go", "go") == {"type": "button", "action_id": "go", "text": b.plain("Go")}
    sure = b.confirm_dialog("Sure?", "It goes.", "Yes", "No", style="danger")
    assert sure == {"title": b.plain("Sure?"), "text": b.plain("It goes."), "confirm": b.plain("Yes"),
                    "deny": b.plain("No"), "style": "danger"}
    assert b.button("Go", "go", value="1", url="https://x", style="primary", confirm=sure) == {
        "type": "button", "action_id": "go", "text": b.plain("Go"), "value": "1", "url": "https://x",
        "style": "primary", "confirm": sure}


def test_inputs_and_modal():
    text = b.plain_text_input("value")
    assert text == {"type": "plain_text_input", "action_id": "value", "multiline": False}
    assert b.plain_text_input("value", True, "hi")["initial_value"] == "hi"
    assert b.input_block("Name", "name", text) == {"type": "input", "block_id": "name", "label": b.plain("Name"),
                                                   "element": text}
    block = b.input_block("Name", "name", text, optional=False, hint="lowercase")
    assert block["optional"] is False and block["hint"] == b.plain("lowercase")
    assert "hint" not in b.input_block("Name", "name", text, hint="")
    one, two = b.option("1", "1"), b.option("2", "2")
    assert b.static_select("value", [one, two], one) == {"type": "static_select", "action_id": "value",
                                                         "options": [one, two], "initial_option": one}
    assert "initial_options" not in b.checkboxes("value", [one, two], [])
    assert b.checkboxes("value", [one, two], [two])["initial_options"] == [two]
    assert b.url_text_input("value") == {"type": "url_text_input", "action_id": "value"}
    assert b.datetimepicker("value") == {"type": "datetimepicker", "action_id": "value"}
    assert b.modal("T", "cb", [block]) == {"type": "modal", "callback_id": "cb", "title": b.plain("T"),
                                           "blocks": [block]}
    view = b.modal("T", "cb", [], submit="Go", close="Cancel", private_metadata="{}")
    assert (view["submit"], view["close"], view["private_metadata"]) == (b.plain("Go"), b.plain("Cancel"), "{}")


def test_escape_mrkdwn_control_characters():
    assert escape("<!channel> & <https://evil|bank>") == "&lt;!channel&gt; &amp; &lt;https://evil|bank&gt;"
    assert escape("&amp;") == "&amp;amp;"
    assert escape("plain *bold* _it_") == "plain *bold* _it_"
    assert render.escape is escape
