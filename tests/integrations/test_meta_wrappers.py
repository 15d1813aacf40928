"""The Graph wrappers that do more than one call, against the Graph fake (which checks request shapes)."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime

import pytest
import requests

from integrations.meta import media, pages, whatsapp
from integrations.meta.graph import GraphClient
from metaops import defaults
from tests.constants import APP_SECRET
from tests.fakes.http import Reply
from tests.fakes.meta_graph import APP_ID, PHONE_ID, VERSION, WABA


@pytest.fixture
def graph(fake_graph):
    fake_graph.reset()
    return GraphClient(fake_graph.url, VERSION, APP_ID, APP_SECRET, sleep=lambda s: None)


def test_a_bare_client_has_the_app_tunables():
    params = inspect.signature(GraphClient).parameters
    assert {name: params[name].default for name in ("attempts", "backoff", "timeout", "usage_limit", "slowdown",
                                                    "max_inline_wait", "page_limit")} == {
        "attempts": defaults.GRAPH_ATTEMPTS, "backoff": defaults.GRAPH_BACKOFF, "timeout": defaults.GRAPH_TIMEOUT,
        "usage_limit": defaults.GRAPH_USAGE_LIMIT, "slowdown": defaults.GRAPH_SLOWDOWN,
        "max_inline_wait": defaults.GRAPH_MAX_INLINE_WAIT, "page_limit": defaults.GRAPH_PAGE_LIMIT}


def test_accounts_name_each_pages_instagram_account(graph, fake_graph):
    found = {p["id"]: p for p in pages.accounts(graph, fake_graph.issue_token())}
    assert found["PAGE1"]["instagram"]["username"] == "acme" and found["PAGE2"]["instagram"] is None
    assert all("instagram_business_account" not in p and p["access_token"] for p in found.values())
    [call] = [c for c in fake_graph.calls if c.path.endswith("/me/accounts")]
    assert "instagram_business_account{id,username," in call.params["fields"]


def test_posts_come_a_page_at_a_time_with_cursors_both_ways(graph, fake_graph):
    token = fake_graph.issue_token("page", expires_in=0)
    first = pages.posts(graph, token, "PAGE1", limit=5)
    assert [p["id"] for p in first.items] == [f"PAGE1_{n}" for n in range(1, 6)] and first.before is None
    second = pages.posts(graph, token, "PAGE1", limit=5, after=first.after)
    assert second.items[0]["id"] == "PAGE1_6" and second.after and second.before
    last = pages.posts(graph, token, "PAGE1", limit=5, after=second.after)
    assert len(last.items) == 2 and last.after is None
    assert pages.posts(graph, token, "PAGE1", limit=5, before=second.before).items == first.items


def test_publish_now_or_scheduled(graph, fake_graph):
    token = fake_graph.issue_token("page", expires_in=0)
    link = pages.publish(graph, token, "PAGE1", "Hello", None, None)
    assert link.startswith("https://www.facebook.com/PAGE1_")
    when = datetime(2030, 1, 2, 3, 4, tzinfo=UTC)
    pages.publish(graph, token, "PAGE1", "Later", "https://acme.test", when)
    now, later = [c.params for c in fake_graph.calls if c.path.endswith("/PAGE1/feed")]
    assert "link" not in now and "published" not in now
    assert later["published"] == "false" and later["scheduled_publish_time"] == str(int(when.timestamp()))
    assert later["link"] == "https://acme.test"


@pytest.mark.parametrize(("profile", "name"), [
    ({"name": "Pat Lee", "username": "patlee"}, "Pat Lee (@patlee)"),
    ({"first_name": "Pat", "last_name": "Lee"}, "Pat Lee"),
    ({"username": "patlee"}, "@patlee"),
    ({}, ""),
])
def test_sender_name_from_what_meta_says(graph, fake_graph, profile, name):
    fake_graph.fail_next(f"/{VERSION}/PSID1", Reply(200, profile))
    assert pages.sender_name(graph, fake_graph.issue_token("page"), "PSID1", instagram=False) == name


def test_sender_name_asks_for_the_fields_of_each_platform(graph, fake_graph):
    token = fake_graph.issue_token("page")
    pages.sender_name(graph, token, "PSID1", instagram=False)
    pages.sender_name(graph, token, "IGSID1", instagram=True)
    assert [c.params["fields"] for c in fake_graph.calls] == ["first_name,last_name", "name,username"]


def test_send_text_returns_the_message_ids(graph, fake_graph):
    assert whatsapp.send_text(graph, fake_graph.issue_token(), PHONE_ID, whatsapp.Recipient(phone="15550001"),
                              "Hi").startswith("wamid.")
    assert pages.send_text(graph, fake_graph.issue_token("page"), "PAGE1", "PSID1", "Hi").startswith("m_")
    assert [(s["kind"], s["to"], s["body"]) for s in fake_graph.sent] == [("whatsapp", "15550001", "Hi"),
                                                                         ("page", "PSID1", "Hi")]


def test_analytics_data_points(graph, fake_graph):
    token = fake_graph.issue_token()
    start = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp())
    points = whatsapp.analytics(graph, token, WABA, start, start + 3 * 86400)
    assert [(p["sent"], p["delivered"]) for p in points] == [(10, 9), (20, 18), (30, 27)]
    fake_graph.fail_next(f"/{VERSION}/{WABA}", Reply(200, {"id": WABA}))
    assert whatsapp.analytics(graph, token, WABA, start, start + 86400) == []


def test_template_analytics_joins_the_points_of_every_block(graph, fake_graph):
    token = fake_graph.issue_token()
    fake_graph.fail_next(f"/{VERSION}/{WABA}/template_analytics", Reply(200, {"data": [
        {"data_points": [{"template_id": "T1", "sent": 1}]}, {"data_points": [{"template_id": "T2", "sent": 2}]},
        {"granularity": "DAILY"}]}))
    points = whatsapp.template_analytics(graph, token, WABA, 0, 86400, ["T1", "T2"])
    assert [p["template_id"] for p in points] == ["T1", "T2"]
    [call] = [c for c in fake_graph.calls if c.path.endswith("/template_analytics")]
    assert call.params["template_ids"] == '["T1", "T2"]'
    assert call.params["metric_types"] == '["SENT", "DELIVERED", "READ"]'


def test_business_profile_is_the_first_entry_or_nothing(graph, fake_graph):
    token = fake_graph.issue_token()
    assert whatsapp.business_profile(graph, token, PHONE_ID)["about"] == "We sell jackets"
    fake_graph.fail_next(f"/{VERSION}/{PHONE_ID}/whatsapp_business_profile", Reply(200, {"data": []}))
    assert whatsapp.business_profile(graph, token, PHONE_ID) == {}


def test_download_stops_past_the_size_limit(graph, fake_graph):
    token = fake_graph.issue_token()
    info = whatsapp.media_info(graph, token, "MEDIA1")
    size = info["file_size"]
    assert media.trusted(info["url"], fake_graph.url)
    assert media.download(graph, info["url"], token, max_bytes=size) == fake_graph.media["MEDIA1"][0]
    assert media.download(requests.Session(), info["url"], token, max_bytes=size - 1, timeout=5) is None
    with pytest.raises(media.MediaRefused) as refused:
        media.download(graph, info["url"], "not-a-token", max_bytes=size)
    assert refused.value.status == 401


def test_only_meta_hosts_are_trusted_with_the_token():
    assert media.trusted("https://lookaside.fbsbx.com/whatsapp/x", "https://graph.facebook.com")
    assert not media.trusted("http://lookaside.fbsbx.com/x", "https://graph.facebook.com")
    assert not media.trusted("https://fbsbx.com.evil.test/x", "https://graph.facebook.com")


def test_recipient_is_the_phone_when_known_else_the_bsuid_else_the_group():
    assert whatsapp.Recipient(phone="15550001", bsuid="US.1").address() == {"recipient_type": "individual",
                                                                           "to": "15550001"}
    assert whatsapp.Recipient(bsuid="US.1").address() == {"recipient_type": "individual", "recipient": "US.1"}
    assert whatsapp.Recipient(group_id="G1", phone="1").address() == {"recipient_type": "group", "to": "G1"}
    with pytest.raises(ValueError):
        whatsapp.Recipient().address()
