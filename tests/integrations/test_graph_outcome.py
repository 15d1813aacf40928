"""Unknown outcome (issue 11, point 5): the Graph client tells "Meta never got it" (retried) from "Meta may have
acted on it" (a POST after a read timeout or a 5xx: OutcomeUnknown, never retried), with requests' exceptions
as they are: ReadTimeout is a Timeout, not a ConnectionError; ConnectTimeout is both."""

from __future__ import annotations

import time

import pytest
import requests

from integrations.meta.errors import OutcomeUnknown, Throttled, Unavailable
from integrations.meta.graph import GraphClient, _never_connected
from tests.constants import APP_SECRET, PHONE_ID
from tests.fakes.http import Reply
from tests.fakes.meta_graph import APP_ID, VERSION, graph_error


def client(url: str, slept: list[float], read_timeout: float = 30) -> GraphClient:
    return GraphClient(url, VERSION, APP_ID, APP_SECRET, sleep=slept.append, clock=lambda: 0.0,
                       timeout=(5, read_timeout))


def send(graph: GraphClient, token: str) -> dict:
    return graph.post(f"{PHONE_ID}/messages", token, json_body={
        "messaging_product": "whatsapp", "to": "15551234567", "type": "text", "text": {"body": "hi"}})


def sends(fake_graph) -> int:
    return len([c for c in fake_graph.calls if c.path.endswith("/messages")])


@pytest.fixture
def fake(fake_graph):
    fake_graph.reset()
    yield fake_graph
    fake_graph.stall_sends = 0.0


def test_requests_exception_classes_are_what_the_client_assumes():
    assert not issubclass(requests.ReadTimeout, requests.ConnectionError)
    assert issubclass(requests.ConnectTimeout, requests.ConnectionError)
    assert _never_connected(requests.ConnectTimeout("connect timed out"))
    assert not _never_connected(requests.ReadTimeout("read timed out"))
    assert not _never_connected(requests.ConnectionError("Connection aborted: RemoteDisconnected"))


def test_a_read_timeout_on_a_send_is_outcome_unknown_and_sent_once(fake):
    slept: list[float] = []
    graph = client(fake.url, slept, read_timeout=0.2)
    fake.stall_sends = 1.0  # Meta accepted it and answers after the read timeout
    with pytest.raises(OutcomeUnknown) as info:
        send(graph, fake.issue_token())
    assert "ReadTimeout" in str(info.value) and isinstance(info.value, Unavailable)
    assert sends(fake) == 1 and len(fake.sent) == 1 and slept == []


def test_a_read_timeout_on_a_get_is_retried_and_never_unknown(fake):
    slept: list[float] = []
    graph = client(fake.url, slept, read_timeout=0.2)
    path = f"/{VERSION}/slow_read_for_test"
    fake.route("GET", path, lambda call: (time.sleep(1.0), Reply(200, {"ok": True}))[1])
    try:
        with pytest.raises(Unavailable) as info:  # a read changes nothing at Meta: retried to the last attempt
            graph.get("slow_read_for_test", fake.issue_token())
    finally:
        fake.route("GET", path, lambda call: Reply(404, {}))
    assert not isinstance(info.value, OutcomeUnknown)
    assert len([c for c in fake.calls if c.path == path]) == graph.attempts and len(slept) == graph.attempts - 1


def test_a_5xx_on_a_send_is_outcome_unknown(fake):
    slept: list[float] = []
    graph = client(fake.url, slept)
    fake.fail_next(f"/{VERSION}/{PHONE_ID}/messages", Reply(503, {"error": {"message": "oops", "code": 2}}))
    with pytest.raises(OutcomeUnknown) as info:
        send(graph, fake.issue_token())
    assert info.value.status == 503 and info.value.code == 2 and slept == [] and sends(fake) == 1


def test_a_refusal_and_a_rate_limit_on_a_send_are_not_unknown(fake):
    slept: list[float] = []
    graph = client(fake.url, slept)
    token = fake.issue_token()
    fake.fail_next(f"/{VERSION}/{PHONE_ID}/messages", graph_error(80007, "Rate limit hit"))
    assert send(graph, token)["messages"]  # a rate-limit refusal says nothing was done: retried, then sent
    assert len(slept) == 1 and len(fake.sent) == 1
    fake.refuse_sends = graph_error(131047, "Re-engagement message", 400)
    with pytest.raises(Exception) as info:
        send(graph, token)
    assert not isinstance(info.value, Unavailable | Throttled)


def test_a_refused_connection_is_retried_then_unavailable_not_unknown():
    slept: list[float] = []
    graph = client("http://127.0.0.1:9", slept)  # nothing listens: the connection is never made
    with pytest.raises(Unavailable) as info:
        send(graph, "EAAtoken")
    assert not isinstance(info.value, OutcomeUnknown) and "could not be reached" in str(info.value)
    assert len(slept) == graph.attempts - 1  # every attempt made: Meta cannot have acted on any
