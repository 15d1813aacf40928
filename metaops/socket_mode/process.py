"""The `socket` process's life: settings, the app token checked, then the lead taken (or waited for), the
connection opened and kept; SIGTERM or SIGINT closes it and lets the lead go at once (exit 0)."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from types import FrameType

from redis.exceptions import RedisError
from slack_bolt import App
from slack_sdk import WebClient

from metaops import build_bolt, defaults, runtime
from metaops.exceptions import ConfigError
from metaops.settings import load
from metaops.socket_mode import app_token
from metaops.socket_mode.envelopes import OnceHandler
from metaops.socket_mode.leader import Leader

log = logging.getLogger("metaops.socket_mode")
OFF = "SLACK_APP_TOKEN is not set: Socket Mode is off (Slack's traffic goes to POST /slack/events); idling"


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stop = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        settings = load()
        if not settings.SLACK_APP_TOKEN:
            # A deployment may run every Procfile line: without the token this one waits quietly rather than exit
            # (a supervisor would restart it again and again).
            log.info(OFF)
            stop.wait()
            return 0
        if not settings.slack_configured:
            raise ConfigError("SLACK_BOT_TOKEN (or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET) is required in Socket Mode")
        web = WebClient(base_url=settings.SLACK_API_URL, timeout=defaults.SLACK_TIMEOUT)
        _checked(web, settings.SLACK_APP_TOKEN, stop)
        rt = runtime.build(settings)
        runtime.install(rt)
        bolt = build_bolt(rt)
        if bolt is None:
            raise ConfigError("Slack is not configured (see the setup page)")
    except ConfigError as e:
        sys.stderr.write(f"metaops socket: {e}\n")
        return 4
    if stop.is_set():
        return 0
    serve(bolt, settings.SLACK_APP_TOKEN, rt, web, stop)
    return 0


def _checked(web: WebClient, token: str, stop: threading.Event) -> None:
    """app_token.check, tried again while Slack cannot be reached."""
    while not stop.is_set():
        try:
            app_token.check(web, token)
            return
        except ConfigError:
            raise
        except Exception as e:  # noqa: BLE001 - Slack unreachable: say so, try again
            log.warning("Slack could not be reached (%s); trying again in %ss", type(e).__name__,
                        defaults.SOCKET_RETRY_WAIT)
            stop.wait(defaults.SOCKET_RETRY_WAIT)


def serve(bolt: App, token: str, rt: runtime.Runtime, web: WebClient, stop: threading.Event) -> None:
    """Hold the lead and the connection while the lead is ours; stand by while another process has it."""
    leader = Leader(rt.redis, defaults.SOCKET_LEADER_TTL)
    handler: OnceHandler | None = None
    standing_by = False
    try:
        while not stop.is_set():
            try:
                lead = leader.hold()
            except RedisError as e:
                lead = handler is not None  # nobody can take the lead without Redis: keep what we have
                log.warning("Redis did not answer (%s); %s", type(e).__name__,
                            "staying connected" if lead else "waiting")
            if lead and handler is None:
                handler = _connect(bolt, token, rt, web)
                standing_by = False
            elif not lead and handler is not None:
                log.info("another socket process has the lead now: disconnecting")
                handler.close()
                handler = None
            elif not lead and not standing_by:
                log.info("standing by: another socket process is connected to Slack")
                standing_by = True
            stop.wait(defaults.SOCKET_LEADER_RENEW)
    finally:
        if handler is not None:
            handler.close()
        try:
            leader.release()
        except RedisError:
            pass
        log.info("Socket Mode connection closed")


def _connect(bolt: App, token: str, rt: runtime.Runtime, web: WebClient) -> OnceHandler | None:
    handler = OnceHandler(bolt, token, rt.redis, web, ttl=defaults.SOCKET_DEDUPE_TTL,
                          ping_interval=defaults.SOCKET_PING_INTERVAL, concurrency=defaults.SOCKET_CONCURRENCY)
    try:
        handler.connect()
    except Exception as e:  # noqa: BLE001 - Slack unreachable or refusing now: the next round tries again
        log.warning("could not connect to Slack over Socket Mode (%s); trying again", type(e).__name__)
        handler.close()
        return None
    log.info("connected to Slack over Socket Mode")
    return handler
