"""The setup page `GET /` as an operator sees it: its sections, copy buttons, escaping, no assets from elsewhere,
and, in headless Chromium (Debian's `chromium`), that the copy buttons copy their target and nothing overflows a
375 px wide phone screen.

`SETUP_PAGE_SCREENSHOT=docs/setup-page.png pytest tests/web/test_setup_page.py -k screenshot` also saves the
screenshot the README shows.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import threading
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from metaops import create_app, manifest, runtime
from tests.constants import APP_SECRET, SIGNING_SECRET

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed (Debian: apt-get install chromium; `make test` installs it where it can)")
URL_IDS = ("url-slack-events", "url-slack-oauth", "url-meta-webhook", "url-meta-oauth")


class Page(HTMLParser):
    """Tags with their attributes, and the text of each element that has an id."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text_by_id: dict[str, str] = {}
        self._open: list[str | None] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.append((tag, a))
        if tag not in ("meta", "br", "input", "img", "link"):
            self._open.append(a.get("id"))
            if a.get("id"):
                self.text_by_id[a["id"]] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag not in ("meta", "br", "input", "img", "link") and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for open_id in self._open:
            if open_id:
                self.text_by_id[open_id] += data

    def find(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]


def _bare(config: dict[str, object], **changes: str) -> dict[str, object]:
    return {**config, "SLACK_SIGNING_SECRET": "", "SLACK_BOT_TOKEN": "", "META_APP_ID": "", "META_APP_SECRET": "",
            **changes}


def _get(config: dict[str, object]) -> tuple[int, dict[str, str], str]:
    app = create_app(config)
    try:
        r = app.test_client().get("/")
        return r.status_code, dict(r.headers), r.get_data(as_text=True)
    finally:
        runtime.install(None)


def test_sections_urls_and_copy_buttons(client):
    r = client.get("/")
    page = Page(r.get_data(as_text=True))
    assert r.status_code == 200 and r.mimetype == "text/html"
    for section in ("health", "configured", "missing", "urls", "slack-manifest"):
        assert page.find("section", id=section), section
    buttons = page.find("button", **{"class": "copy"})
    assert sorted(b["data-copy"] for b in buttons) == sorted([*URL_IDS, "manifest"])
    assert page.text_by_id["url-slack-events"] == "https://metaops.example.test/slack/events"
    assert page.text_by_id["url-slack-oauth"] == "https://metaops.example.test/slack/oauth_redirect"
    assert page.text_by_id["url-meta-webhook"] == "https://metaops.example.test/meta/webhook"
    assert page.text_by_id["url-meta-oauth"] == "https://metaops.example.test/meta/oauth/callback"
    assert page.text_by_id["manifest"] == manifest.render("https://metaops.example.test")  # unescaped, exactly
    assert page.find("meta", name="viewport", content="width=device-width, initial-scale=1")


def test_configured_names_settings_without_their_values(client, config):
    html = client.get("/").get_data(as_text=True)
    section = Page(html).text_by_id["configured"]
    for name in ("SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN", "META_APP_ID, META_APP_SECRET", "META_VERIFY_TOKEN"):
        assert name in section
    assert "Slack and Meta are configured." in html
    for secret in (SIGNING_SECRET, APP_SECRET, config["ENCRYPTION_KEYS"], config["SLACK_BOT_TOKEN"],
                   config["META_VERIFY_TOKEN"], config["REDIS_URL"], config["DATABASE_URL"]):
        assert str(secret) not in html


def test_missing_settings_say_where_to_get_them(config):
    status, _, html = _get(_bare(config))
    missing = Page(html).text_by_id["missing"]
    assert status == 200
    assert "SLACK_SIGNING_SECRET" in missing and "Signing Secret" in missing
    assert "SLACK_BOT_TOKEN (or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET)" in missing and "xoxb-" in missing
    assert "META_APP_ID" in missing and "App ID" in missing
    assert "META_APP_SECRET" in missing and "App secret" in missing
    assert "SLACK_SIGNING_SECRET" not in Page(html).text_by_id["configured"]


def test_a_local_public_url_is_pointed_out(config):
    _, _, html = _get({**config, "PUBLIC_URL": "http://localhost:3000"})
    assert "Slack and Meta cannot reach this machine" in Page(html).text_by_id["missing"]
    _, _, html = _get(config)  # https://metaops.example.test
    assert "cannot reach" not in html


def test_everything_is_escaped(config):
    nasty = 'https://x.test/"><script>alert(1)</script>&amp;'
    _, _, html = _get({**config, "PUBLIC_URL": nasty})
    page = Page(html)
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert len(page.find("script")) == 1  # ours only
    assert page.text_by_id["url-meta-webhook"] == nasty + "/meta/webhook"  # the browser shows it as it is
    assert page.text_by_id["manifest"] == manifest.render(nasty)


def test_no_assets_from_elsewhere(client):
    r = client.get("/")
    page = Page(r.get_data(as_text=True))
    assert not [a for _, a in page.tags if "src" in a]  # no images, scripts, frames from anywhere
    assert not page.find("link") and not page.find("img") and not page.find("iframe")
    nonce = page.find("script")[0]["nonce"]
    assert page.find("style")[0]["nonce"] == nonce
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and f"script-src 'nonce-{nonce}'" in csp and f"style-src 'nonce-{nonce}'" in csp
    assert client.get("/").headers["Content-Security-Policy"] != csp  # a new nonce each time


# --- in a real browser ---------------------------------------------------------------------------------------

PROBE = """<!doctype html><html><head><meta charset="utf-8"></head><body>
<iframe id="f" src="/" width="375" height="812" style="border:0"></iframe><pre id="result">pending</pre>
<script>
const frame = document.getElementById("f");
const tick = () => new Promise(r => setTimeout(r, 50));
frame.addEventListener("load", async () => {
  const w = frame.contentWindow, d = frame.contentDocument, out = {buttons: [], copied: []};
  try {
    Object.defineProperty(w.navigator, "clipboard", {configurable: true,
      value: {writeText: t => { out.copied.push(t); return Promise.resolve(); }}});
    for (const b of d.querySelectorAll("button.copy")) {
      const target = d.getElementById(b.dataset.copy);
      b.click();
      await tick();
      out.buttons.push({copy: b.dataset.copy, target: target ? target.textContent : null,
                        state: b.dataset.state || null, label: b.textContent});
    }
    Object.defineProperty(w.navigator, "clipboard", {configurable: true, value: undefined});
    const b = d.querySelector("button.copy");
    b.click();
    await tick();
    out.without_clipboard_api = {state: b.dataset.state || null, label: b.textContent};
    out.scrollWidth = d.documentElement.scrollWidth;
    out.clientWidth = d.documentElement.clientWidth;
    out.wider = [...d.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > 375.5)
      .map(e => e.tagName + (e.id ? "#" + e.id : ""));
  } catch (e) { out.error = String(e); }
  document.getElementById("result").textContent = JSON.stringify(out);
});
</script></body></html>"""


def _chromium(*args: str, profile: Path) -> subprocess.CompletedProcess:
    assert CHROMIUM
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-dev-shm-usage", "--hide-scrollbars", f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=90)


@pytest.fixture
def serve() -> Iterator[Callable[[dict[str, object]], str]]:
    """Serves the app of a config on a loopback port, plus /__probe: the page in a 375 px wide frame, driven by
    a script."""
    stops: list[Callable[[], None]] = []

    def start(config: dict[str, object]) -> str:
        app = create_app(config)

        def wsgi(environ, start_response):
            if environ["PATH_INFO"] == "/__probe":
                start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
                return [PROBE.encode()]
            return app(environ, start_response)

        server = make_server("127.0.0.1", 0, wsgi, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        stops.append(lambda: (server.shutdown(), thread.join(10), runtime.install(None)))
        return f"http://127.0.0.1:{server.server_port}"

    yield start
    for stop in stops:
        stop()


@needs_chromium
def test_copy_buttons_work_and_nothing_overflows_a_phone(serve, config, tmp_path):
    served = serve(config)
    r = _chromium("--dump-dom", "--virtual-time-budget=10000", f"{served}/__probe", profile=tmp_path / "profile")
    start = r.stdout.find('<pre id="result">')
    assert start >= 0, r.stderr[-2000:]
    raw = r.stdout[start + len('<pre id="result">'):r.stdout.index("</pre>", start)]
    assert raw != "pending", "the probe script did not finish"
    out = json.loads(raw.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&"))
    assert "error" not in out, out.get("error")
    assert [b["copy"] for b in out["buttons"]] == [*URL_IDS, "manifest"]
    for b in out["buttons"]:
        assert b["target"] is not None and b["state"] == "copied" and b["label"] == "Copied", b
    assert out["copied"] == [b["target"] for b in out["buttons"]]
    assert out["copied"][0] == "https://metaops.example.test/slack/events"
    assert out["copied"][-1] == manifest.render("https://metaops.example.test")
    # Without the Clipboard API (plain http on a public address) the button still answers: copied, or how.
    assert out["without_clipboard_api"]["label"] in ("Copied", "Select and copy by hand")
    assert out["scrollWidth"] <= 375 and out["clientWidth"] == 375
    assert out["wider"] == []


@needs_chromium
def test_screenshot(serve, config, tmp_path):
    """Renders a new install's page (Meta not set up yet) at a laptop's width; the file is a PNG of that size
    (saved to docs/ when asked)."""
    served = serve({**config, "META_APP_ID": "", "META_APP_SECRET": "", "PUBLIC_URL": "https://metaops.example.com"})
    shot = tmp_path / "setup-page.png"
    r = _chromium(f"--screenshot={shot}", "--window-size=900,1700", f"{served}/", profile=tmp_path / "profile")
    assert shot.is_file(), r.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (900, 1700)
    if os.environ.get("SETUP_PAGE_SCREENSHOT"):
        shutil.copy(shot, os.environ["SETUP_PAGE_SCREENSHOT"])


def test_socket_mode_says_so_and_gives_a_manifest_without_request_urls(config):
    """A laptop: Socket Mode on, no signing secret, PUBLIC_URL left local. Slack needs no URL; Meta's webhook still
    does, and the page says so and names the usual ways."""
    from tests.fakes.slack_api import APP_TOKEN

    status, _, html = _get({**config, "SLACK_APP_TOKEN": APP_TOKEN, "SLACK_SIGNING_SECRET": "",
                            "PUBLIC_URL": "http://localhost:3000"})
    page = Page(html)
    assert status == 200 and APP_TOKEN not in html
    assert "Socket Mode is on" in page.text_by_id["slack-mode"]
    meta = page.text_by_id["meta-mode"]
    assert "need a public https URL" in meta and "tunnel" in meta and "host" in meta
    assert "Meta cannot reach this machine" in page.text_by_id["missing"]
    assert "SLACK_SIGNING_SECRET" not in page.text_by_id["missing"]  # Socket Mode needs no signature
    shown = page.text_by_id["manifest"]
    assert "socket_mode_enabled: true" in shown and "/slack/events" not in shown and "request_url" not in shown
    assert "oauth_redirect" not in shown  # single-workspace: no install redirect either
    assert "command: /meta" in shown and "- app_home_opened" in shown
    urls = [b["data-copy"] for b in page.find("button", **{"class": "copy"})]
    assert "url-slack-events" not in urls and "url-meta-webhook" in urls
    status, _, html = _get(config)  # HTTP mode: the page offers Socket Mode for a laptop
    assert "Slack: HTTP." in Page(html).text_by_id["slack-mode"] and "SLACK_APP_TOKEN" in html


def test_without_the_signing_secret_slack_events_over_http_are_refused(config):
    from tests.fakes.slack_api import APP_TOKEN

    app = create_app({**config, "SLACK_APP_TOKEN": APP_TOKEN, "SLACK_SIGNING_SECRET": ""})
    try:
        r = app.test_client().post("/slack/events", data=b"command=%2Fmeta&text=help")
        assert r.status_code == 503  # nothing over HTTP can be verified without the secret
    finally:
        runtime.install(None)


@needs_chromium
def test_screenshot_socket_mode(serve, config, tmp_path):
    """The page of a laptop in Socket Mode (what the README's newcomer path shows); saved to docs/ when asked with
    SETUP_PAGE_SOCKET_SCREENSHOT."""
    from tests.fakes.slack_api import APP_TOKEN

    served = serve({**config, "SLACK_APP_TOKEN": APP_TOKEN, "SLACK_SIGNING_SECRET": "",
                    "PUBLIC_URL": "http://localhost:3000"})
    shot = tmp_path / "setup-page-socket-mode.png"
    r = _chromium(f"--screenshot={shot}", "--window-size=900,2000", f"{served}/", profile=tmp_path / "profile")
    assert shot.is_file(), r.stderr[-2000:]
    assert struct.unpack(">II", shot.read_bytes()[16:24]) == (900, 2000)
    if os.environ.get("SETUP_PAGE_SOCKET_SCREENSHOT"):
        shutil.copy(shot, os.environ["SETUP_PAGE_SOCKET_SCREENSHOT"])
