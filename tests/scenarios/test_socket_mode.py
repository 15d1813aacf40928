"""Socket Mode: the Procfile's `socket` line against a local fake of Slack's Socket Mode endpoint
(`apps.connections.open` on the Slack fake hands out the URL of a WebSocket server that sends envelopes and reads the
acks). Slash command, button and event answered over the socket; a dropped connection or Slack's refresh request
reconnects by itself; two processes keep one connection and take over from each other; an event redelivered is
acked but not handled twice; a wrong token stops the process with one line."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.constants import ROOT
from tests.fakes.slack_api import APP_TOKEN
from tests.fakes.socket_mode import FakeSocketMode
from tests.helpers import procfile, slack_fixture


@pytest.fixture
def fake_socket(fake_slack):
    fake = FakeSocketMode()
    fake_slack.socket_url = fake.url
    yield fake
    fake.close()


def start(config, app_token: str = APP_TOKEN, **extra) -> subprocess.Popen:
    env = {**os.environ, **{k: str(v) for k, v in config.items()}, "SLACK_APP_TOKEN": app_token, **extra,
           "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    return subprocess.Popen(["bash", "-c", "exec " + procfile()["socket"]], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True, text=True)


def stop(proc: subprocess.Popen) -> str:
    if proc.poll() is None:
        os.killpg(proc.pid, 15)
    out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0, out
    assert APP_TOKEN not in out  # the token is a secret: never logged
    return out


def opened(fake_slack) -> int:
    return sum(1 for c in fake_slack.calls if c.path == "/api/apps.connections.open")


def test_procfile_line_and_command_button_event_over_the_socket(config, fake_slack, fake_socket):
    assert procfile()["socket"] == "python -m metaops.socket_mode"
    proc = start(config)
    try:
        assert fake_socket.wait_connections(1), "the socket process never connected"
        command = fake_socket.send("slash_commands", slack_fixture("commands/meta.json"),
                                   accepts_response_payload=True)
        ack = fake_socket.wait_ack(command)
        assert ack is not None and "/meta connect" in ack["payload"]["text"]  # help, answered in the ack

        button = fake_socket.send("interactive", slack_fixture("actions/home_button.json",
                                                                action={"action_id": "meta_connect"}))
        assert fake_socket.wait_ack(button) == {"envelope_id": button}

        event = fake_socket.send("events_api", slack_fixture("events/app_home_opened.json"))
        assert fake_socket.wait_ack(event) == {"envelope_id": event}
        for _ in range(100):
            if fake_slack.published:
                break
            time.sleep(0.1)
        assert [p["user_id"] for p in fake_slack.published] == ["U_ADMIN"]

        # Slack redelivers the event (no ack seen in time), in a new envelope: acked, not handled again
        again = fake_socket.send("events_api", slack_fixture("events/app_home_opened.json"))
        assert fake_socket.wait_ack(again) == {"envelope_id": again}
        time.sleep(1)
        assert len(fake_slack.published) == 1
    finally:
        stop(proc)


def test_reconnects_after_a_drop_and_after_slacks_refresh_request(config, fake_slack, fake_socket):
    proc = start(config)
    try:
        assert fake_socket.wait_connections(1)
        fake_socket.drop()
        assert fake_socket.wait_connections(2, timeout=60), "no new connection after the drop"
        command = fake_socket.send("slash_commands", slack_fixture("commands/meta.json"),
                                   accepts_response_payload=True)
        assert fake_socket.wait_ack(command) is not None
        fake_socket.refresh()
        assert fake_socket.wait_connections(3, timeout=60), "no new connection after Slack's disconnect message"
        command = fake_socket.send("slash_commands", slack_fixture("commands/meta.json"),
                                   accepts_response_payload=True)
        assert fake_socket.wait_ack(command) is not None
    finally:
        stop(proc)


def test_two_processes_keep_one_connection_and_the_standby_takes_over(config, fake_slack, fake_socket):
    first = start(config)
    second = None
    try:
        assert fake_socket.wait_connections(1)
        second = start(config)
        time.sleep(4)  # two lead rounds of the second process
        assert len(fake_socket.connections) == 1  # one connection set per deployment
        os.killpg(first.pid, 9)  # the connected one dies without letting go
        first.wait(10)
        assert fake_socket.wait_connections(2, timeout=30), "the standby never took over"
        command = fake_socket.send("slash_commands", slack_fixture("commands/meta.json"),
                                   accepts_response_payload=True)
        assert fake_socket.wait_ack(command) is not None
    finally:
        if first.poll() is None:
            os.killpg(first.pid, 9)
        if second is not None:
            out = stop(second)
            assert "standing by" in out


@pytest.mark.parametrize(("token", "words"), [
    ("xapp-1-A1-999-revoked", "SLACK_APP_TOKEN was refused by Slack (invalid_auth)"),
    ("xoxb-test-bot-token", "SLACK_APP_TOKEN must be an app-level token"),
])
def test_a_wrong_app_token_stops_the_process_with_one_line(config, fake_slack, fake_socket, token, words):
    proc = start(config, app_token=token)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 4
    assert words in out and "Traceback" not in out and token not in out
    assert len([line for line in out.splitlines() if line.startswith("metaops socket:")]) == 1
    assert not fake_socket.connections


def test_without_the_app_token_the_line_idles(config, fake_slack):
    proc = start(config, app_token="")
    line = proc.stdout.readline()  # its first words, once it is up
    assert "Socket Mode is off" in line
    time.sleep(1)
    assert proc.poll() is None  # a supervisor running every Procfile line does not restart it again and again
    stop(proc)
    assert not opened(fake_slack)
