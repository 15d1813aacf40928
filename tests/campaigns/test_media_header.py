"""Campaigns with a media header (issue 23): each row's image, video or document from the file's `header_media`
column (a public https link or a Meta media id), checked line by line before anything is sent and sent with
Meta's header parameter; without the column the file comes back under its field. The Graph fake refuses, as Meta
does, a media-header template sent without its media (132012)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from integrations.meta import whatsapp
from integrations.meta.errors import GraphError
from store.models import CampaignRecipient
from tests.bot.test_listeners_campaigns import confirm, review_of, text_of
from tests.constants import PHONE_ID
from tests.helpers import connect_whatsapp, run_worker

PHOTO = {"id": "800000000000011", "name": "new_collection", "language": "en", "category": "MARKETING",
         "status": "APPROVED", "components": [
             {"type": "HEADER", "format": "IMAGE", "example": {"header_handle": ["4::aW1hZ2U=:ARbExample"]}},
             {"type": "BODY", "text": "Hi {{1}}, the new collection is in.", "example": {"body_text": [["Ana"]]}}]}
MANUAL = {"id": "800000000000012", "name": "user_manual", "language": "en", "category": "UTILITY",
          "status": "APPROVED", "components": [
              {"type": "HEADER", "format": "DOCUMENT", "example": {"header_handle": ["4::cGRm:ARbExample"]}},
              {"type": "BODY", "text": "Your manual is attached."}]}
MEDIA_ID = "123456789012345"  # uploaded to Meta before (POST /{phone-number-id}/media)


@pytest.fixture
def connected(rt, fake_graph, fake_slack):
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    fake_graph.templates = [dict(PHOTO), dict(MANUAL)]
    fake_graph.uploads[MEDIA_ID] = {"kind": "whatsapp", "from": PHONE_ID, "filename": "promo.png",
                                    "mime_type": "image/png", "bytes": b"png"}
    return rt


def sent_templates(fake_graph) -> dict[str, dict]:
    return {s["to"]: s["template"] for s in fake_graph.sent if s.get("type") == "template"}


def test_each_row_sends_its_own_image_and_bad_rows_are_refused_on_their_line(client, rt, connected, fake_slack,
                                                                             fake_graph):
    fake_slack.share_file("F0MEDIA01", "photos.csv", "text/csv", (
        "phone,header_media,body_1\n"
        "5491155550001,https://cdn.acme.test/spring/ana.jpg,Ana\n"  # line 2: a link
        f"5491155550002,{MEDIA_ID},Bo\n"  # line 3: a media id
        "5491155550003,http://cdn.acme.test/cy.jpg,Cy\n"  # line 4: not https
        "5491155550004,,Dee\n"  # line 5: missing
        "5491155550005,https://127.0.0.1/eve.jpg,Eve\n"  # line 6: not public
        "5491155550006,ftp://cdn.acme.test/fay.jpg,\n").encode())  # line 7: two problems
    review = review_of(client, rt, fake_slack, template_id=PHOTO["id"], file="F0MEDIA01")
    shown = text_of(review)
    assert "*2* will be sent" in shown
    assert "Line 4: header image: `http://cdn.acme.test/cy.jpg` is neither a public https link nor a Meta " \
           "media id" in shown
    assert "Line 5: header image: A value is required." in shown
    assert "Line 6: header image: `https://127.0.0.1/eve.jpg` is neither" in shown
    assert "Line 7: header image: `ftp://cdn.acme.test/fay.jpg` is neither" in shown and \
           "body {{1}}: A value is required." in shown
    assert not sent_templates(fake_graph)  # nothing before the review is confirmed
    confirm(client, review)
    run_worker(rt)
    sent = sent_templates(fake_graph)
    assert set(sent) == {"5491155550001", "5491155550002"}
    assert sent["5491155550001"]["components"] == [
        {"type": "header", "parameters": [{"type": "image", "image": {"link": "https://cdn.acme.test/spring/ana.jpg"}}]},
        {"type": "body", "parameters": [{"type": "text", "text": "Ana"}]}]
    assert sent["5491155550002"]["components"][0] == {
        "type": "header", "parameters": [{"type": "image", "image": {"id": MEDIA_ID}}]}
    with rt.db.session() as s:
        assert sorted(r.state for r in s.scalars(select(CampaignRecipient))) == ["sent", "sent"]


def test_a_document_link_carries_its_file_name(client, rt, connected, fake_slack, fake_graph):
    fake_slack.share_file("F0MEDIA02", "manuals.csv", "text/csv",
                          b"phone,header_media\n5491155550001,https://docs.acme.test/m/Manual%20X200.pdf\n")
    confirm(client, review_of(client, rt, fake_slack, template_id=MANUAL["id"], file="F0MEDIA02"))
    run_worker(rt)
    assert sent_templates(fake_graph)["5491155550001"]["components"] == [{"type": "header", "parameters": [
        {"type": "document", "document": {"link": "https://docs.acme.test/m/Manual%20X200.pdf",
                                          "filename": "Manual X200.pdf"}}]}]


def test_without_the_column_the_file_comes_back_under_its_field(client, rt, connected, fake_slack, fake_graph):
    fake_slack.share_file("F0MEDIA03", "plain.csv", "text/csv", b"phone,body_1\n5491155550001,Ana\n")
    back = review_of(client, rt, fake_slack, template_id=PHOTO["id"], file="F0MEDIA03")
    assert back["callback_id"] == "campaign_modal"  # the form again, not the review
    ids = [b.get("block_id") for b in back["blocks"]]
    file_block = back["blocks"][ids.index("file") + 1]  # the error under the file field
    assert str(file_block.get("block_id")).endswith("file")
    assert "the template's header is media (image): add a `header_media` column" in str(file_block)
    assert "the file's columns are `phone`, `body_1`" in str(file_block)
    with rt.db.session() as s:
        assert not s.scalars(select(CampaignRecipient)).all()
    assert not sent_templates(fake_graph)


def test_meta_refuses_a_media_header_template_sent_without_its_media(rt, connected, fake_graph):
    token = next(iter(fake_graph.tokens))
    to = whatsapp.Recipient(phone="5491155550001", bsuid=None)
    with pytest.raises(GraphError) as e:
        whatsapp.send_template(rt.graph, token, PHONE_ID, to, PHOTO["name"], "en",
                               [{"type": "body", "parameters": [{"type": "text", "text": "Ana"}]}])
    assert e.value.code == 132012
    with pytest.raises(GraphError) as e:
        whatsapp.send_template(rt.graph, token, PHONE_ID, to, PHOTO["name"], "en", [
            {"type": "header", "parameters": [{"type": "image", "image": {"id": "999999999999"}}]},
            {"type": "body", "parameters": [{"type": "text", "text": "Ana"}]}])
    assert e.value.code == 131053  # an id Meta never gave
    with pytest.raises(GraphError) as e:
        whatsapp.send_template(rt.graph, token, PHONE_ID, to, PHOTO["name"], "en", [
            {"type": "header", "parameters": [{"type": "image", "image": {"link": "https://cdn.acme.test/a.jpg"}}]}])
    assert e.value.code == 132000  # the body's {{1}} missing
    assert not sent_templates(fake_graph)
