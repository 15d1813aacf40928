"""Customer media Meta could not hand over: a temporary failure is retried with the event's retries (one
upload in the end, no note); a permanent refusal says so once in the thread."""

from __future__ import annotations

import pytest
import requests

from metaops import defaults
from store.models import WebhookEvent
from tests.fakes.http import Reply
from tests.fakes.meta_graph import VERSION, graph_error
from tests.helpers import connect_whatsapp, fixture, post_webhook, run_due_scheduled, run_worker


@pytest.fixture
def connected(rt, fake_graph):
    connect_whatsapp(rt, channel="C_MSG", token=fake_graph.issue_token())
    return rt


def _deliver(client, rt) -> None:
    assert post_webhook(client, fixture("whatsapp/image.json")).status_code == 200
    run_worker(rt)


def _retry(rt) -> None:
    run_due_scheduled(rt)
    run_worker(rt)


def _event(rt) -> tuple[str, int]:
    with rt.db.session() as s:
        event = s.query(WebhookEvent).one()
        return event.state, event.attempts


def _notes(fake_slack) -> list[dict]:
    return [m for m in fake_slack.messages if "could not be fetched" in m["text"]]


def test_a_5xx_download_is_retried_then_uploaded_once(client, connected, fake_slack, fake_graph):
    fake_graph.fail_next("/download/MEDIA1", Reply(500, b"oops"))
    _deliver(client, connected)  # the first try fails; its retry (no wait in tests) runs in the same burst
    _retry(connected)
    downloads = [c for c in fake_graph.calls if c.path == "/download/MEDIA1"]
    assert len(downloads) == 2
    [post] = fake_slack.messages  # the message was posted once, on the first try; no note
    [upload] = fake_slack.files
    assert upload["thread_ts"] == post["ts"] and list(fake_slack.uploaded.values()) == [
        len(fake_graph.media["MEDIA1"][0])]
    state, attempts = _event(connected)
    assert state == "done" and attempts >= 1


def test_a_5xx_from_the_graph_api_is_retried(client, connected, fake_slack, fake_graph, monkeypatch):
    # The Graph client retries a 5xx itself (no waits here); past its attempts the event's retries take over.
    monkeypatch.setattr(connected.graph, "sleep", lambda _seconds: None)
    fake_graph.fail_next(f"/{VERSION}/MEDIA1", graph_error(2, "Service temporarily unavailable", 503),
                         times=defaults.GRAPH_ATTEMPTS)
    _deliver(client, connected)
    _retry(connected)
    assert len([c for c in fake_graph.calls if c.path == f"/{VERSION}/MEDIA1"]) == defaults.GRAPH_ATTEMPTS + 1
    assert len(fake_slack.files) == 1 and _notes(fake_slack) == [] and len(fake_slack.messages) == 1


def test_a_timeout_is_retried(client, connected, fake_slack, fake_graph, monkeypatch):
    real_get = requests.Session.get
    calls = []

    def once_times_out(self, url, *a, **kw):  # the file host does not answer in time, once
        if "/download/" in url and not calls:
            calls.append(url)
            raise requests.ReadTimeout("read timed out")
        return real_get(self, url, *a, **kw)

    monkeypatch.setattr(requests.Session, "get", once_times_out)
    _deliver(client, connected)
    _retry(connected)
    assert calls and len(fake_slack.files) == 1 and _notes(fake_slack) == []
    assert len(fake_slack.messages) == 1 and _event(connected)[0] == "done"


@pytest.mark.parametrize("reply", [Reply(404, b"gone"), Reply(403, b"forbidden")])
def test_a_refused_download_posts_the_note_once(client, connected, fake_slack, fake_graph, reply):
    fake_graph.fail_next("/download/MEDIA1", reply)
    _deliver(client, connected)
    post, note = fake_slack.messages
    assert "could not be fetched" in note["text"] and str(reply.status) in note["text"]
    assert note["thread_ts"] == post["ts"] and fake_slack.files == []
    _retry(connected)
    assert len(_notes(fake_slack)) == 1 and _event(connected)[0] == "done"
    assert len([c for c in fake_graph.calls if c.path == "/download/MEDIA1"]) == 1  # not retried


def test_an_expired_media_id_posts_the_note(client, connected, fake_slack, fake_graph):
    fake_graph.fail_next(f"/{VERSION}/MEDIA1", graph_error(100, "Unsupported get request. Object does not exist",
                                                           400, 33))
    _deliver(client, connected)
    [note] = _notes(fake_slack)
    assert "Unsupported get request" in note["text"] and fake_slack.files == []
