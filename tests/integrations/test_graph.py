"""The Graph client against the Graph fake: proof, typed errors, retries, throttling, paging."""

from __future__ import annotations

import json

import pytest

from integrations.meta.errors import PermissionMissing, Throttled, TokenInvalid, Unavailable
from integrations.meta.graph import GraphClient
from metaops import defaults
from tests.constants import APP_SECRET, WABA
from tests.fakes.http import Reply
from tests.fakes.meta_graph import APP_ID, VERSION, graph_error


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, s: float) -> None:
        self.slept.append(s)
        self.now += s


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def graph(fake_graph, clock):
    fake_graph.reset()
    return GraphClient(fake_graph.url, VERSION, APP_ID, APP_SECRET, sleep=clock.sleep, clock=clock)


def test_user_token_calls_carry_appsecret_proof_and_keep_the_token_out_of_urls(graph, fake_graph):
    token = fake_graph.issue_token()
    assert graph.get("me", token, fields="id,name")["name"] == "Ada Admin"
    [call] = [c for c in fake_graph.calls if c.path.endswith("/me")]
    assert call.params["appsecret_proof"] and token not in json.dumps(call.params)
    assert call.headers["Authorization"] == f"Bearer {token}"


def test_a_wrong_app_secret_is_refused_by_meta(fake_graph, clock):
    bad = GraphClient(fake_graph.url, VERSION, APP_ID, "wrong-secret", sleep=clock.sleep, clock=clock)
    with pytest.raises(Exception) as info:
        bad.get("me", fake_graph.issue_token())
    assert "appsecret_proof" in str(info.value)


def test_expired_token_is_token_invalid(graph, fake_graph):
    token = fake_graph.issue_token(expires_in=-10)
    with pytest.raises(TokenInvalid) as info:
        graph.get("me", token)
    assert info.value.expired and info.value.code == 190 and info.value.subcode == 463


def test_permission_error_carries_meta_user_text_and_trace(graph, fake_graph):
    fake_graph.fail_next(f"/{VERSION}/me", graph_error(200, "Requires pages_manage_posts permission", 403,
                                                       user_title="Missing permission",
                                                       user_msg="Grant pages_manage_posts"))
    with pytest.raises(PermissionMissing) as info:
        graph.get("me", fake_graph.issue_token())
    text = info.value.user_text()
    assert "Missing permission" in text and "Grant pages_manage_posts" in text and "AbCdEf123" in text


def test_transient_errors_are_retried_with_backoff(graph, fake_graph, clock):
    fake_graph.fail_next(f"/{VERSION}/me", Reply(503, {"error": {"message": "down", "code": 2}}), times=2)
    assert graph.get("me", fake_graph.issue_token())["id"] == "10001"
    assert len(clock.slept) == 2 and clock.slept[1] > clock.slept[0] * 1.0
    assert clock.slept[0] >= defaults.GRAPH_BACKOFF


def test_transient_errors_give_up_after_the_last_attempt(graph, fake_graph, clock):
    fake_graph.fail_next(f"/{VERSION}/me", graph_error(613, "Calls within one hour have exceeded the rate"), times=9)
    with pytest.raises(Throttled):
        graph.get("me", fake_graph.issue_token())
    assert len(clock.slept) == defaults.GRAPH_ATTEMPTS - 1


def test_other_errors_are_not_retried(graph, fake_graph, clock):
    with pytest.raises(Exception) as info:
        graph.get("no-such-object", fake_graph.issue_token())
    assert info.value.code == 100 and clock.slept == []


def test_app_usage_past_the_limit_slows_the_next_call(graph, fake_graph, clock):
    token = fake_graph.issue_token()
    fake_graph.extra_headers = {"X-App-Usage": json.dumps({"call_count": 95, "total_time": 10, "total_cputime": 5})}
    graph.get("me", token)
    assert clock.slept == []
    fake_graph.extra_headers = {}
    graph.get("me", token)
    assert clock.slept == [defaults.GRAPH_SLOWDOWN]


def test_business_use_case_regain_time_pauses_that_business_only(graph, fake_graph, clock):
    token = fake_graph.issue_token()
    fake_graph.extra_headers = {"X-Business-Use-Case-Usage": json.dumps(
        {WABA: [{"type": "whatsapp", "call_count": 100, "total_cputime": 20, "total_time": 30,
                 "estimated_time_to_regain_access": 5}]})}
    graph.get(WABA, token)
    fake_graph.extra_headers = {}
    with pytest.raises(Throttled) as info:
        graph.get(f"{WABA}/phone_numbers", token)
    assert 290 < info.value.retry_after <= 300
    assert graph.get("me", token)["id"] == "10001"  # other objects go on


def test_paging_follows_cursors_to_the_end(graph, fake_graph):
    fake_graph.phones[WABA] = [{"id": f"P{i}", "display_phone_number": str(i)} for i in range(250)]
    ids = [p["id"] for p in graph.paged(f"{WABA}/phone_numbers", fake_graph.issue_token())]
    assert ids == [f"P{i}" for i in range(250)]


def test_unreachable_meta_is_unavailable_without_the_url(clock):
    graph = GraphClient("http://127.0.0.1:9", VERSION, APP_ID, APP_SECRET, sleep=clock.sleep, clock=clock)
    with pytest.raises(Unavailable) as info:
        graph.get("me", "EAAsecret-token")
    assert "EAAsecret" not in str(info.value) and "127.0.0.1" not in str(info.value)


def test_a_post_meta_may_have_acted_on_is_not_sent_again(graph, fake_graph, clock):
    token = fake_graph.issue_token()
    fake_graph.fail_next(f"/{VERSION}/me", Reply(500, {"error": {"message": "oops", "code": 2}}))
    with pytest.raises(Unavailable):
        graph.post("me", token, data={"x": 1})
    assert clock.slept == [] and len([c for c in fake_graph.calls if c.path.endswith("/me")]) == 1
    fake_graph.fail_next(f"/{VERSION}/me", graph_error(80007, "Rate limit hit"))
    graph.post("me", token, data={"x": 1})  # a rate-limit refusal says nothing was done: retried
    assert len(clock.slept) == 1
