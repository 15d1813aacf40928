"""Slack's Socket Mode endpoint played on loopback: a small WebSocket server (RFC 6455, text frames, ping/pong,
close) that says `hello` to each connection, sends the envelopes a test gives it to the newest connection, and
records every acknowledgement the app sends back (by envelope id). `drop()` cuts the connection without a close
frame, as a network failure would; `refresh()` sends Slack's `disconnect` message (refresh_requested)."""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import struct
import threading
import time
import uuid
from socketserver import BaseRequestHandler, ThreadingTCPServer
from typing import Any

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455's constant for Sec-WebSocket-Accept


def frame(payload: bytes, opcode: int = 1) -> bytes:
    """A server frame: final, unmasked."""
    head = bytes([0x80 | opcode])
    n = len(payload)
    if n < 126:
        head += bytes([n])
    elif n < 65536:
        head += bytes([126]) + struct.pack("!H", n)
    else:
        head += bytes([127]) + struct.pack("!Q", n)
    return head + payload


def read_frame(sock: socket.socket) -> tuple[int, bytes]:
    """(opcode, payload) of one client frame (clients mask theirs); ConnectionError when the peer is gone."""
    first, second = _exact(sock, 2)
    n = second & 0x7F
    if n == 126:
        n = struct.unpack("!H", _exact(sock, 2))[0]
    elif n == 127:
        n = struct.unpack("!Q", _exact(sock, 8))[0]
    mask = _exact(sock, 4) if second & 0x80 else b"\0\0\0\0"
    data = _exact(sock, n)
    return first & 0x0F, bytes(b ^ mask[i % 4] for i, b in enumerate(data))


def _exact(sock: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("closed")
        buf += chunk
    return buf


class FakeSocketMode:
    def __init__(self) -> None:
        self.acks: dict[str, dict[str, Any]] = {}  # envelope id -> what the app acknowledged with
        self.connections: list[socket.socket] = []  # every connection made, in order
        self.unmasked: list[str] = []  # protocol faults seen (a client frame without a mask)
        self._lock = threading.Condition()
        fake = self

        class _H(BaseRequestHandler):
            def handle(self) -> None:
                fake._serve(self.request)

        self.server = ThreadingTCPServer(("127.0.0.1", 0), _H)
        self.server.daemon_threads = True
        self.url = f"ws://127.0.0.1:{self.server.server_address[1]}/link/?ticket={uuid.uuid4()}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _serve(self, sock: socket.socket) -> None:
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = sock.recv(4096)
            if not chunk:
                return
            request += chunk
        headers = dict(line.split(": ", 1) for line in request.decode().split("\r\n")[1:] if ": " in line)
        key = {k.lower(): v for k, v in headers.items()}.get("sec-websocket-key", "")
        accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
        sock.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      f"Sec-WebSocket-Accept: {accept}\r\n\r\n").encode())
        sock.sendall(frame(json.dumps({"type": "hello", "num_connections": 1,
                                       "debug_info": {"host": "fake", "approximate_connection_time": 18060},
                                       "connection_info": {"app_id": "A1"}}).encode()))
        with self._lock:
            self.connections.append(sock)
            self._lock.notify_all()
        try:
            while True:
                opcode, data = read_frame(sock)
                if opcode == 9:  # ping
                    sock.sendall(frame(data, 10))
                elif opcode == 8:  # close
                    sock.sendall(frame(data[:2], 8))
                    return
                elif opcode == 1:
                    ack = json.loads(data)
                    with self._lock:
                        self.acks[ack.get("envelope_id", "")] = ack
                        self._lock.notify_all()
        except (ConnectionError, OSError):
            return

    def wait_connections(self, n: int, timeout: float = 15) -> bool:
        with self._lock:
            return self._lock.wait_for(lambda: len(self.connections) >= n, timeout)

    def send(self, kind: str, payload: dict[str, Any], envelope_id: str | None = None,
             accepts_response_payload: bool = False) -> str:
        """An envelope of `kind` (slash_commands, interactive, events_api) to the newest connection; its id."""
        envelope_id = envelope_id or str(uuid.uuid4())
        body = {"envelope_id": envelope_id, "type": kind, "payload": payload,
                "accepts_response_payload": accepts_response_payload, "retry_attempt": 0, "retry_reason": ""}
        with self._lock:
            sock = self.connections[-1]
        sock.sendall(frame(json.dumps(body).encode()))
        return envelope_id

    def wait_ack(self, envelope_id: str, timeout: float = 15) -> dict[str, Any] | None:
        with self._lock:
            self._lock.wait_for(lambda: envelope_id in self.acks, timeout)
            return self.acks.get(envelope_id)

    def drop(self) -> None:
        """The newest connection cut without a close frame."""
        with self._lock:
            sock = self.connections[-1]
        sock.shutdown(socket.SHUT_RDWR)
        sock.close()

    def refresh(self) -> None:
        """Slack's `disconnect` message: the client is to connect again (Slack sends it before a connection ends)."""
        with self._lock:
            sock = self.connections[-1]
        sock.sendall(frame(json.dumps({"type": "disconnect", "reason": "refresh_requested",
                                       "debug_info": {"host": "fake"}}).encode()))

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        for sock in self.connections:
            try:
                sock.close()
            except OSError:
                pass
        time.sleep(0)
