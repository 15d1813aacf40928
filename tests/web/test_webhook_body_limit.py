"""A webhook body over the limit is answered 413 however it is sent: with a Content-Length, or chunked without
one (through Flask's test client and through the Procfile's gunicorn), and the oversize body is never stored."""

from __future__ import annotations

import io
import json
import os
import socket
from collections.abc import Iterator

import requests
from sqlalchemy import func, select

from integrations.meta.signature import sign
from metaops import defaults
from store.models import WebhookEvent
from tests.constants import APP_SECRET
from tests.helpers import start_procfile_web, stored_events, wa_message, wa_payload


def _stored(rt) -> int:
    with rt.db.session() as s:
        return s.scalar(select(func.count()).select_from(WebhookEvent))


def _big_signed_body(size: int) -> bytes:
    """A JSON object of `size` bytes, signed: only its size is wrong."""
    head = b'{"object":"whatsapp_business_account","entry":[],"pad":"'
    return head + b"x" * (size - len(head) - 2) + b'"}'


class _Chunks(io.RawIOBase):
    """A request body that arrives as a generator of chunks, with no length known in advance."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks, self._left = chunks, b""

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[no-untyped-def]
        while not self._left:
            try:
                self._left = next(self._chunks)
            except StopIteration:
                return 0
        n = min(len(b), len(self._left))
        b[:n], self._left = self._left[:n], self._left[n:]
        return n


def _chunks(body: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    for i in range(0, len(body), size):
        yield body[i:i + size]


def _post_chunked(client, body: bytes):  # type: ignore[no-untyped-def]
    # The stream goes in as a server that de-chunks (gunicorn) hands it over: no length, input terminated.
    environ = {"wsgi.input": io.BufferedReader(_Chunks(_chunks(body))), "wsgi.input_terminated": True}
    return client.post("/meta/webhook", environ_overrides=environ,
                       headers={"Transfer-Encoding": "chunked", "Content-Type": "application/json",
                                "X-Hub-Signature-256": sign(body, APP_SECRET)})


def test_chunked_body_over_the_limit_is_413(client, rt):
    body = _big_signed_body(defaults.WEBHOOK_MAX_BODY + 1)
    r = _post_chunked(client, body)
    assert r.status_code == 413 and _stored(rt) == 0


def test_chunked_body_of_three_mib_is_413(client, rt):
    r = _post_chunked(client, _big_signed_body(3 * 1024 * 1024))
    assert r.status_code == 413 and _stored(rt) == 0


def test_chunked_body_at_the_limit_is_taken(client, rt):
    body = _big_signed_body(defaults.WEBHOOK_MAX_BODY)
    assert _post_chunked(client, body).status_code == 200 and _stored(rt) == 1


def test_small_chunked_event_is_stored(client, rt):
    body = json.dumps(wa_payload([wa_message("wamid.C1", "15550101010", "hi")])).encode()
    assert _post_chunked(client, body).status_code == 200 and _stored(rt) == 1


def test_procfile_web_answers_a_chunked_three_mib_body_413(config):
    proc, port = start_procfile_web(config, concurrency=1)
    try:
        base = f"http://127.0.0.1:{port}/meta/webhook"
        big = _big_signed_body(3 * 1024 * 1024)
        try:
            headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(big, APP_SECRET)}
            r = requests.post(base, data=_chunks(big), timeout=30, headers=headers)  # a generator: sent chunked
            status = r.status_code
        except requests.ConnectionError:
            status = None  # the server may close before taking the rest; then read its answer from a raw socket
        if status is None:
            status = _raw_chunked_status(port, big)
        assert status == 413
        small = json.dumps(wa_payload([wa_message("wamid.C2", "15550101010", "hi")])).encode()
        r = requests.post(base, data=_chunks(small, 16), timeout=10,
                          headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(small, APP_SECRET)})
        assert r.status_code == 200
        assert stored_events(config["DATABASE_URL"]) == 1
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(20)


def _raw_chunked_status(port: int, body: bytes) -> int:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(b"POST /meta/webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
                  b"Content-Type: application/json\r\nX-Hub-Signature-256: " + sign(body, APP_SECRET).encode()
                  + b"\r\n\r\n")
        try:
            for chunk in _chunks(body):
                s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            s.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # answered and closed before the whole body: the answer is waiting
        return int(s.recv(4096).split(b" ", 2)[1])
