"""Files shared in customer threads, sent to the customer: signed Slack events, the real worker, the Slack fake
(files.info and the private download) and the Graph fake (media upload, attachment upload, the send)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from integrations.meta import outgoing
from store.models import OutboundMessage, ReplyOutbox
from tests.fakes.meta_graph import graph_error
from tests.helpers import (
    PHONE_ID,
    customer_thread,
    messaging_thread,
    run_worker,
    slack_event,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 2000
PDF = b"%PDF-1.7\n" + b"x" * 3000


@pytest.fixture
def thread(client, rt, fake_slack, fake_graph):
    return customer_thread(client, rt, fake_slack, fake_graph)


def share(client, thread_ts, files, text="", ts="1700000100.000200", retry=None, subtype="file_share"):
    event = {"type": "message", "channel": "C_CONNECT", "user": "U_ADMIN", "text": text, "ts": ts,
             "thread_ts": thread_ts, "team": "T1", "files": files, "upload": False}
    if subtype:
        event["subtype"] = subtype
    return slack_event(client, event, retry=retry)


def in_thread(fake_slack, thread):
    return [m for m in fake_slack.messages if m.get("thread_ts") == thread]


def test_an_image_and_a_pdf_reach_metas_media_upload_and_the_send(client, rt, fake_slack, fake_graph, thread):
    files = [fake_slack.share_file("F_IMG", "jacket.png", "image/png", PNG),
             fake_slack.share_file("F_PDF", "invoice.pdf", "application/pdf", PDF)]
    assert share(client, thread, files, text="*Here* it is").status_code == 200
    run_worker(rt)

    assert fake_slack.downloads == ["F_IMG", "F_PDF"]
    uploads = list(fake_graph.uploads.items())
    assert [(u["filename"], u["mime_type"], u["bytes"], u["from"]) for _, u in uploads] == [
        ("jacket.png", "image/png", PNG, PHONE_ID), ("invoice.pdf", "application/pdf", PDF, PHONE_ID)]
    (image_id, _), (pdf_id, _) = uploads
    assert fake_graph.sent == [
        {"from": PHONE_ID, "to": "15551234567", "kind": "whatsapp", "type": "image", "id": image_id,
         "caption": "*Here* it is"},
        {"from": PHONE_ID, "to": "15551234567", "kind": "whatsapp", "type": "document", "id": pdf_id,
         "filename": "invoice.pdf"}]
    assert [r["name"] for r in fake_slack.reactions] == ["white_check_mark"]
    assert in_thread(fake_slack, thread) == []
    with rt.db.session() as s:
        assert len(s.scalars(select(OutboundMessage)).all()) == 2  # a later failure of either finds the thread
        assert s.scalars(select(ReplyOutbox.state)).one() == "sent"


def test_a_file_shared_without_text_and_without_subtype_is_sent(client, rt, fake_slack, fake_graph, thread):
    files = [fake_slack.share_file("F_IMG", "jacket.png", "image/png", PNG)]
    share(client, thread, files, subtype=None)
    run_worker(rt)
    [sent] = fake_graph.sent
    assert sent["type"] == "image" and "caption" not in sent


def test_an_oversize_file_is_explained_in_the_thread_and_nothing_sent(client, rt, fake_slack, fake_graph, thread):
    big = b"\xff\xd8\xff" + b"\x00" * (5 * outgoing.MB)  # a JPEG just over WhatsApp's 5 MB for images
    share(client, thread, [fake_slack.share_file("F_BIG", "huge.jpg", "image/jpeg", big)])
    run_worker(rt)
    assert fake_graph.sent == [] and fake_graph.uploads == {}
    assert fake_slack.downloads == []  # refused on Slack's figures, before fetching anything
    [note] = in_thread(fake_slack, thread)
    assert "huge.jpg" in note["text"] and "5 MB" in note["text"] and "image" in note["text"]
    assert [r["name"] for r in fake_slack.reactions] == ["x"]
    with rt.db.session() as s:
        assert s.scalars(select(ReplyOutbox.state)).one() == "refused"


def test_a_static_sticker_over_100_kb_is_refused_after_fetching(client, rt, fake_slack, fake_graph, thread):
    webp = b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * (150 * 1024)  # not animated: 100 KB at most
    share(client, thread, [fake_slack.share_file("F_WEBP", "smile.webp", "image/webp", webp)], text="hi")
    run_worker(rt)
    [note] = in_thread(fake_slack, thread)
    assert "smile.webp" in note["text"] and "100 KB" in note["text"]
    assert [s["body"] for s in fake_graph.sent] == ["hi"]  # the text still goes, on its own


def test_a_type_whatsapp_does_not_take_is_explained_and_the_text_goes_alone(client, rt, fake_slack, fake_graph,
                                                                           thread):
    share(client, thread, [fake_slack.share_file("F_ZIP", "photos.zip", "application/zip", b"PK\x03\x04")],
          text="The photos")
    run_worker(rt)
    [note] = in_thread(fake_slack, thread)
    assert "photos.zip" in note["text"] and "application/zip" in note["text"] and "JPEG" in note["text"]
    assert [s["body"] for s in fake_graph.sent] == ["The photos"] and fake_graph.uploads == {}


def test_metas_refusal_of_the_upload_is_explained(client, rt, fake_slack, fake_graph, thread):
    fake_graph.refuse_uploads = graph_error(131053, "Media upload error", 400, user_title="Media upload error",
                                            user_msg="The file could not be processed.")
    share(client, thread, [fake_slack.share_file("F_IMG", "jacket.png", "image/png", PNG)])
    run_worker(rt)
    [note] = in_thread(fake_slack, thread)
    assert "jacket.png" in note["text"] and "could not be processed" in note["text"]
    assert fake_graph.sent == [] and [r["name"] for r in fake_slack.reactions] == ["x"]


def test_a_file_slack_does_not_hand_out_is_explained(client, rt, fake_slack, fake_graph, thread):
    share(client, thread, [{"id": "F_GONE", "name": "deleted.png", "mimetype": "image/png", "size": 10}])
    run_worker(rt)
    [note] = in_thread(fake_slack, thread)
    assert "deleted.png" in note["text"] and "file_not_found" in note["text"] and fake_graph.sent == []


@pytest.mark.both_databases  # a dedupe claim per part of the reply
def test_a_retry_of_the_same_slack_event_sends_once(client, rt, fake_slack, fake_graph, thread):
    files = [fake_slack.share_file("F_IMG", "jacket.png", "image/png", PNG)]
    share(client, thread, files, text="once")
    share(client, thread, files, text="once", retry=1)
    run_worker(rt)
    share(client, thread, files, text="once", retry=2)
    run_worker(rt)
    assert len(fake_graph.sent) == 1 and len(fake_graph.uploads) == 1
    assert fake_graph.sent[0]["caption"] == "once"


@pytest.mark.both_databases  # a dedupe claim per part of the reply
def test_a_retry_after_meta_failed_part_way_sends_only_what_had_not_gone(client, rt, fake_slack, fake_graph,
                                                                          thread):
    from tests.fakes.http import Reply

    files = [fake_slack.share_file("F_IMG", "jacket.png", "image/png", PNG),
             fake_slack.share_file("F_PDF", "invoice.pdf", "application/pdf", PDF)]
    upload, calls = fake_graph._upload_media, []

    def second_upload_fails_once(call, phone_id, token):
        calls.append(call)
        if len(calls) == 2:  # a 5xx: Meta may have stored it, but an upload alone reaches no customer
            return Reply(503, {"error": {"message": "Service temporarily unavailable", "code": 2}})
        return upload(call, phone_id, token)

    fake_graph._upload_media = second_upload_fails_once
    share(client, thread, files, text="both")
    run_worker(rt)  # the job fails on the PDF and RQ runs it again (JOB_RETRY_INTERVALS 0 in tests)
    assert len(calls) == 3
    assert [(s["type"], s.get("caption")) for s in fake_graph.sent] == [("image", "both"), ("document", None)]
    assert [r["name"] for r in fake_slack.reactions] == ["white_check_mark"]


def test_messenger_attachment_goes_through_the_pages_attachment_upload(client, rt, fake_slack, fake_graph):
    root_ts = messaging_thread(client, rt, fake_slack, fake_graph, "photo please")
    files = [fake_slack.share_file("F_IMG", "jacket.png", "image/png", PNG)]
    share(client, root_ts, files, text="Here you go")
    run_worker(rt)
    [(attachment_id, upload)] = fake_graph.uploads.items()
    assert upload["from"] == "PAGE1" and upload["type"] == "image" and upload["bytes"] == PNG
    assert upload["platform"] is None
    assert fake_graph.sent == [
        {"from": "PAGE1", "to": "PSID777", "body": "Here you go", "kind": "page"},
        {"from": "PAGE1", "to": "PSID777", "kind": "page", "type": "image", "attachment_id": attachment_id}]
    assert [r["name"] for r in fake_slack.reactions] == ["white_check_mark"]


def test_instagram_takes_no_office_documents(client, rt, fake_slack, fake_graph):
    root_ts = messaging_thread(client, rt, fake_slack, fake_graph, "hello", platform="instagram")
    docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    share(client, root_ts, [fake_slack.share_file("F_DOC", "terms.docx", docx, b"PK" * 10),
                            fake_slack.share_file("F_PDF", "terms.pdf", "application/pdf", PDF)])
    run_worker(rt)
    [note] = in_thread(fake_slack, root_ts)
    assert "terms.docx" in note["text"] and "Instagram" in note["text"]
    [(_, upload)] = fake_graph.uploads.items()
    assert upload["type"] == "file" and upload["platform"] == "instagram" and upload["filename"] == "terms.pdf"
    assert [s.get("type") for s in fake_graph.sent] == ["file"]


def test_a_note_shared_with_files_sends_neither_caption_nor_files(client, rt, fake_slack, fake_graph, thread):
    files = [fake_slack.share_file("F_IMG", "jacket.png", "image/png", PNG)]
    share(client, thread, files, text="_Note:_ this one is damaged")
    run_worker(rt)
    assert fake_graph.sent == [] and fake_graph.uploads == {} and fake_slack.downloads == []


def test_a_note_caption_stored_by_an_older_path_is_not_sent(client, rt, fake_slack, fake_graph, thread):
    from metaops.conversation import replies
    from store import outbox

    files = replies.shared_files({"files": [fake_slack.share_file("F_IMG", "jacket.png", "image/png", PNG)]})
    row_id, _ = outbox.add(rt.db.engine, "T1", "C_CONNECT", thread, "1700000100.000800", "U_ADMIN",
                           "*Note:* customer is a refund abuser", rt.now(), files=files)
    replies.queue_send(rt, row_id)
    run_worker(rt)
    assert fake_graph.sent == [] and fake_graph.uploads == {}
    with rt.db.session() as s:
        assert s.get(ReplyOutbox, row_id).state == "refused"


def test_reply_files_refuses_a_note_caption_itself(rt, fake_slack, fake_graph, thread):
    from metaops.conversation import reply_files
    from store import outbox

    files = [fake_slack.share_file("F_IMG", "jacket.png", "image/png", PNG)]
    row_id, _ = outbox.add(rt.db.engine, "T1", "C_CONNECT", thread, "1700000100.000900", "U_ADMIN", "see it",
                           rt.now(), files=[{"id": "F_IMG", "name": "jacket.png"}])
    with rt.db.session() as s:
        row = s.get(ReplyOutbox, row_id)
        s.expunge(row)
    target = reply_files.Target("whatsapp", "token", PHONE_ID)
    with pytest.raises(reply_files.NothingSent):
        reply_files.send(rt, row, "whatsapp", target, "> *note:* internal", "k", lambda: "never")
    assert fake_graph.sent == [] and fake_graph.uploads == {} and files
