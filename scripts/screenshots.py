"""Screenshots of a customer thread's root in each conversation state, as the README's "Working a conversation"
shows them: docs/root-open.png, root-claimed.png, root-waiting.png, root-snoozed.png, root-resolved.png; and a
campaign's progress message (docs/campaign-progress.png, the README's "Campaigns"), built by the app's own
metaops.campaigns.progress from a campaign mid-way.

The roots are the app's own: the real app on a throwaway SQLite file, a redis-server of its own on a free loopback
port, and the tests' Slack and Meta fakes; a customer writes (a signed webhook), then a member claims, replies,
snoozes and resolves through signed Slack requests, and after each step the worker runs the jobs (the state line
is put on the root by `refresh_root`). Each root's Block Kit, as the Slack fake holds it, is drawn as a small
Slack-like HTML page (our own CSS; emoji shortcodes as inline SVG, so no emoji font is needed) and shot in headless
Chromium (Debian's `chromium`). Nothing leaves the machine.

From the repository root: `make screenshots`, or `.venv/bin/python -m scripts.screenshots [--out DIR]
[--only roots|campaign]`.
"""

from __future__ import annotations

import argparse
import html
import logging
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
STATES = ("open", "claimed", "waiting", "snoozed", "resolved")
WIDTH = 760
CHANNEL = "C_CONNECT"
APP_NAME = "MetaOps"

# Emoji shortcodes the roots use, as small inline SVGs (18 px); any other shortcode stays as `:name:`, greyed.
_SVG = '<svg class="emoji" viewBox="0 0 18 18" width="18" height="18" aria-label=":{name}:">{body}</svg>'
EMOJI = {
    "large_green_circle": '<circle cx="9" cy="9" r="7.5" fill="#2eb67d"/>',
    "bust_in_silhouette": '<circle cx="9" cy="6" r="3.6" fill="#4a5866"/>'
                          '<path d="M2.5 17c0-4 2.9-6.6 6.5-6.6s6.5 2.6 6.5 6.6z" fill="#4a5866"/>',
    "hourglass_flowing_sand": '<rect x="3" y="1" width="12" height="2" rx="1" fill="#8a5a2b"/>'
                              '<rect x="3" y="15" width="12" height="2" rx="1" fill="#8a5a2b"/>'
                              '<path d="M4.5 3h9c0 3.5-3 4.6-3 6s3 2.5 3 6h-9c0-3.5 3-4.6 3-6s-3-2.5-3-6z" '
                              'fill="#e9f3fb" stroke="#9ab" stroke-width=".7"/>'
                              '<path d="M6.5 6h5c-.6 1.2-2.5 1.6-2.5 3-0-1.4-1.9-1.8-2.5-3zM5.6 15c.4-2 3.4-2.6 3.4-4.6'
                              ' 0 2 3 2.6 3.4 4.6z" fill="#e8b04b"/>',
    "zzz": '<text x="0" y="17" font-family="sans-serif" font-weight="bold" font-size="11" fill="#3b88c3">z</text>'
           '<text x="6" y="11.5" font-family="sans-serif" font-weight="bold" font-size="9" fill="#3b88c3">z</text>'
           '<text x="11.5" y="7" font-family="sans-serif" font-weight="bold" font-size="7.5" fill="#3b88c3">z</text>',
    "outbox_tray": '<path d="M2 10h4l1 2h4l1-2h4v6H2z" fill="#8a9aa8"/><path d="M9 1l4 4h-2.5v4h-3V5H5z" '
                   'fill="#3b88c3"/>',
    "incoming_envelope": '<rect x="1.5" y="4" width="15" height="10" rx="1.5" fill="#fff" stroke="#8a9aa8"/>'
                         '<path d="M2 4.5l7 5.5 7-5.5" fill="none" stroke="#8a9aa8" stroke-width="1.2"/>'
                         '<path d="M13 1l3 1-1 3" fill="none" stroke="#e01e5a" stroke-width="1.4"/>',
    "eyes": '<ellipse cx="5.5" cy="9" rx="4" ry="6" fill="#fff" stroke="#555"/><ellipse cx="12.5" cy="9" rx="4" '
            'ry="6" fill="#fff" stroke="#555"/><circle cx="6.5" cy="10" r="2" fill="#222"/><circle cx="13.5" '
            'cy="10" r="2" fill="#222"/>',
    "x": '<path d="M3.5 3.5l11 11M14.5 3.5l-11 11" stroke="#dd2e44" stroke-width="3" stroke-linecap="round"/>',
    "speech_balloon": '<path d="M2 3.5h14v9H8l-4 3v-3H2z" fill="#fff" stroke="#8a9aa8" stroke-width="1.2" '
                      'stroke-linejoin="round"/>',
    "grey_question": '<text x="4" y="15" font-family="sans-serif" font-weight="bold" font-size="15" '
                     'fill="#99aab5">?</text>',
    "hourglass": '<rect x="3" y="1" width="12" height="2" rx="1" fill="#8a5a2b"/><rect x="3" y="15" width="12" '
                 'height="2" rx="1" fill="#8a5a2b"/><path d="M4.5 3h9c0 3.5-3 4.6-3 6s3 2.5 3 6h-9c0-3.5 3-4.6 '
                 '3-6s-3-2.5-3-6z" fill="#e9f3fb" stroke="#9ab" stroke-width=".7"/><path d="M5.6 15c.4-2 '
                 '3.4-2.6 3.4-4.6 0 2 3 2.6 3.4 4.6z" fill="#e8b04b"/>',
    "white_check_mark": '<rect x="1" y="1" width="16" height="16" rx="3" fill="#3fb14a"/>'
                        '<path d="M4.5 9.3l3 3 6-6.6" fill="none" stroke="#fff" stroke-width="2.2" '
                        'stroke-linecap="round" stroke-linejoin="round"/>',
}

CSS = """
body { margin: 0; background: #fff; font: 15px/1.47 "Liberation Sans", "DejaVu Sans", Arial, sans-serif;
       color: #1d1c1d; }
.msg { display: flex; gap: 8px; padding: 14px 20px; }
.avatar { flex: none; width: 36px; height: 36px; border-radius: 6px; background: #4a154b; color: #fff;
          font-weight: bold; font-size: 18px; display: flex; align-items: center; justify-content: center; }
.body { flex: 1; min-width: 0; }
.meta b { font-weight: 900; }
.app { font-size: 10px; font-weight: bold; color: #616061; background: #e8e8e8; border-radius: 2px;
       padding: 1px 3px; margin: 0 6px; vertical-align: 2px; }
.time { color: #616061; font-size: 12px; }
.section { margin: 2px 0 4px; }
.context { color: #616061; font-size: 13px; margin: 6px 0 4px; display: flex; gap: 8px; align-items: center; }
.context b { color: #1d1c1d; }
.actions { display: flex; flex-wrap: wrap; gap: 8px; margin: 8px 0 4px; }
.btn, .select { display: inline-flex; align-items: center; height: 28px; box-sizing: border-box; padding: 0 12px;
                border: 1px solid #c9c9c9; border-radius: 4px; font-size: 13px; font-weight: bold;
                background: #fff; white-space: nowrap; }
.btn.primary { background: #007a5a; border-color: #007a5a; color: #fff; }
.btn.danger { background: #e01e5a; border-color: #e01e5a; color: #fff; }
.select { font-weight: normal; color: #616061; min-width: 150px; justify-content: space-between; gap: 10px; }
.chev { width: 7px; height: 7px; border-right: 2px solid #616061; border-bottom: 2px solid #616061;
        transform: rotate(45deg) translateY(-2px); }
.mention { color: #1264a3; background: #e8f5fa; border-radius: 3px; padding: 0 2px; }
a { color: #1264a3; text-decoration: none; }
code { font: 12px monospace; color: #e01e5a; background: #f6f6f6; border: 1px solid #ddd; border-radius: 3px;
       padding: 0 3px; }
.emoji { vertical-align: -3px; }
.shortcode, .unknown { color: #868686; }
.header { font-weight: 900; font-size: 18px; margin: 4px 0; }
hr { border: 0; border-top: 1px solid #ddd; margin: 8px 0; }
"""

_TOKEN = re.compile(r"<([^<>\s][^<>]*)>|:([a-z0-9_+-]+):")
_BOLD = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w])_([^_\n]+)_(?![\w])")
_STRIKE = re.compile(r"(?<![\w~])~([^~\n]+)~(?![\w~])")
_CODE = re.compile(r"`([^`\n]+)`")
_DATE_TOKENS = {"{date_short_pretty}": "%b %-d", "{date_pretty}": "%B %-d", "{date_short}": "%b %-d, %Y",
                "{date}": "%B %-d, %Y", "{date_num}": "%Y-%m-%d", "{time}": "%H:%M", "{time_secs}": "%H:%M:%S"}


def _date(spec: str) -> str:
    """`!date^ts^format|fallback`, in UTC (Slack shows each reader's zone)."""
    head, _, fallback = spec.partition("|")
    parts = head.split("^")
    try:
        at = datetime.fromtimestamp(int(parts[1]), UTC)
    except (IndexError, ValueError):
        return html.escape(fallback)
    shown = parts[2] if len(parts) > 2 else "{date_short} {time}"
    for token, fmt in _DATE_TOKENS.items():
        shown = shown.replace(token, at.strftime(fmt))
    return html.escape(shown)


def _special(inner: str, users: dict[str, str]) -> str:
    """A `<…>` of Slack's mrkdwn: a mention, a channel, a date, a link."""
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        name = users.get(target[1:], target[1:])
        return f'<span class="mention">@{html.escape(name)}</span>'
    if target.startswith("#"):
        return f'<span class="mention">#{html.escape(label or target[1:])}</span>'
    if target.startswith("!date^"):
        return _date(inner)
    if target.startswith("!"):
        return f'<span class="mention">@{html.escape(target[1:])}</span>'
    return f'<a href="{html.escape(target)}">{html.escape(label or target)}</a>'


def mrkdwn(text: str, users: dict[str, str] | None = None) -> str:
    """Slack mrkdwn as HTML: *bold*, _italic_, ~strike~, `code`, mentions, dates, links and emoji shortcodes."""
    users = users or {}
    held: list[str] = []

    def hold(m: re.Match[str]) -> str:
        if m.group(1) is not None:
            held.append(_special(m.group(1), users))
        else:
            name = m.group(2)
            body = EMOJI.get(name)
            held.append(_SVG.format(name=name, body=body) if body
                        else f'<span class="shortcode">:{html.escape(name)}:</span>')
        return f"\x00{len(held) - 1}\x00"

    out = html.escape(_TOKEN.sub(hold, text), quote=False)
    out = _CODE.sub(r"<code>\1</code>", out)
    out = _BOLD.sub(r"<b>\1</b>", out)
    out = _ITALIC.sub(r"<i>\1</i>", out)
    out = _STRIKE.sub(r"<s>\1</s>", out)
    out = re.sub("\x00(\\d+)\x00", lambda m: held[int(m.group(1))], out)
    return out.replace("\n", "<br>")


def _text(obj: dict[str, Any] | None, users: dict[str, str]) -> str:
    if not obj:
        return ""
    if obj.get("type") == "mrkdwn":
        return mrkdwn(str(obj.get("text") or ""), users)
    return html.escape(str(obj.get("text") or ""))


def element(e: dict[str, Any], users: dict[str, str]) -> str:
    """A block element: a button, a select (shown as a box with its placeholder), a text, an image's alt text."""
    kind = e.get("type", "")
    if kind == "button":
        style = f" {e['style']}" if e.get("style") in ("primary", "danger") else ""
        return f'<span class="btn{style}">{_text(e.get("text"), users)}</span>'
    if kind.endswith("_select") or kind in ("datepicker", "timepicker", "datetimepicker", "overflow"):
        shown = (e.get("initial_option") or {}).get("text") or e.get("placeholder") or {"text": "…"}
        return f'<span class="select" data-kind="{html.escape(kind)}">{_text(shown, users)}<span class="chev">' \
               f'</span></span>'
    if kind in ("mrkdwn", "plain_text"):
        return f"<span>{_text(e, users)}</span>"
    if kind == "image":
        return f'<span class="unknown">[{html.escape(str(e.get("alt_text") or "image"))}]</span>'
    return f'<span class="unknown">[{html.escape(kind)}]</span>'


def block(b: dict[str, Any], users: dict[str, str]) -> str:
    kind = b.get("type", "")
    if kind == "section":
        fields = "".join(f"<div>{_text(f, users)}</div>" for f in b.get("fields") or [])
        accessory = element(b["accessory"], users) if b.get("accessory") else ""
        return f'<div class="section">{_text(b.get("text"), users)}{fields}{accessory}</div>'
    if kind == "context":
        return f'<div class="context">{"".join(element(e, users) for e in b.get("elements") or [])}</div>'
    if kind == "actions":
        return f'<div class="actions">{"".join(element(e, users) for e in b.get("elements") or [])}</div>'
    if kind == "header":
        return f'<div class="header">{_text(b.get("text"), users)}</div>'
    if kind == "divider":
        return "<hr>"
    return f'<div class="unknown">[{html.escape(kind)} block]</div>'


def page(message: dict[str, Any], users: dict[str, str], posted: datetime | None = None) -> str:
    """One message as Slack shows it in a channel: the app's avatar and name, the time it was posted (the message's
    ts when not given), then its blocks (its text when none)."""
    blocks = message.get("blocks") or [{"type": "section", "text": {"type": "mrkdwn", "text": message.get("text")}}]
    when = (posted or datetime.fromtimestamp(float(message.get("ts") or 0), UTC)).strftime("%H:%M")
    body = "".join(block(b, users) for b in blocks)
    return (f'<!doctype html><html><head><meta charset="utf-8"><style>{CSS}</style></head><body>'
            f'<div class="msg"><div class="avatar">{APP_NAME[0]}</div><div class="body"><div class="meta">'
            f'<b>{APP_NAME}</b><span class="app">APP</span><span class="time">{when}</span></div>{body}'
            f"</div></div></body></html>")


def _until(check: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError("the root did not change in time")
        time.sleep(0.05)


def roots(workdir: Path) -> tuple[list[tuple[str, dict[str, Any]]], dict[str, str], datetime]:
    """The root of one customer thread after each step, (state, message as the Slack fake holds it), the fake's
    user names by id, and when the root was posted (the fake's ts is a counter, not a time)."""
    sys.path.insert(0, str(ROOT))  # `tests` (the fakes and helpers) is not an installed package
    from cryptography.fernet import Fernet

    from metaops import create_app, runtime, settings
    from metaops.conversation import state_root
    from store import migrate
    from tests.constants import APP_SECRET, SIGNING_SECRET, VERIFY_TOKEN
    from tests.fakes.meta_graph import APP_ID, FakeGraph
    from tests.fakes.slack_api import BOT_TOKEN, FakeSlack
    from tests.helpers import (
        RedisServer,
        connect_whatsapp,
        free_port,
        interact,
        post_webhook,
        run_worker,
        slack_event,
        wa_message,
        wa_payload,
    )

    redis = RedisServer(free_port())
    redis.start()
    fake_slack, fake_graph = FakeSlack(), FakeGraph(APP_SECRET)
    fake_slack.reset()
    fake_graph.reset()
    fake_slack.enforce_pace(0, 0)
    database = f"sqlite:///{workdir / 'metaops.db'}"
    migrate.upgrade(database)
    app = create_app(settings.from_mapping({
        "ENCRYPTION_KEYS": Fernet.generate_key().decode(), "DATABASE_URL": database,
        "REDIS_URL": f"redis://127.0.0.1:{redis.port}/0", "SLACK_API_URL": fake_slack.api_url,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_BOT_TOKEN": BOT_TOKEN, "META_APP_ID": APP_ID,
        "META_APP_SECRET": APP_SECRET, "META_VERIFY_TOKEN": VERIFY_TOKEN, "META_GRAPH_URL": fake_graph.url,
        "META_DIALOG_URL": "https://dialog.example.test", "PUBLIC_URL": "https://metaops.example.test",
        "INSTANCE_DIR": str(workdir / "instance"), "SLACK_PACE_RATE": "0"}))
    rt, client = app.extensions["metaops"], app.test_client()
    try:
        connect_whatsapp(rt, channel=CHANNEL, token=fake_graph.issue_token())
        post_webhook(client, wa_payload([wa_message("wamid.IN1", "15551234567", "Where is my order?")]))
        run_worker(rt)
        posted = datetime.now(UTC)
        [first] = [m for m in fake_slack.messages if not m.get("thread_ts")]
        root = str(first["ts"])

        def message() -> dict[str, Any]:
            return next(dict(m) for m in fake_slack.messages if m["ts"] == root)

        def line() -> str:
            return next((str(b) for b in message().get("blocks") or [] if b.get("block_id") == "conversation_state"),
                        "")

        def settled(words: str) -> dict[str, Any]:
            """Runs the worker until the root's state line says `words`."""
            def shown() -> bool:
                run_worker(rt)
                return words in line()

            _until(shown)
            return message()

        def press(action_id: str, **action: Any) -> None:
            interact(client, {
                "type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U_MEMBER", "team_id": "T1"},
                "api_app_id": "A1", "trigger_id": "1.2", "channel": {"id": CHANNEL},
                "container": {"type": "message", "message_ts": root, "channel_id": CHANNEL},
                "message": {"ts": root, "type": "message"},
                "actions": [{"action_id": action_id, "block_id": "conversation_actions",
                             "action_ts": "1700000000.1", **action}]})

        shots = [("open", settled("*Open*"))]
        press(state_root.CLAIM_ACTION, type="button", value=root)
        shots.append(("claimed", settled("*Claimed by")))
        slack_event(client, {"type": "message", "user": "U_MEMBER", "text": "It ships today, here is the tracking",
                             "ts": "1700000500.000100", "thread_ts": root, "channel": CHANNEL, "team": "T1"},
                    event_id="EvShotReply")
        shots.append(("waiting", settled("*Waiting on the customer*")))
        press(state_root.SNOOZE_ACTION, type="static_select",
              selected_option={"text": {"type": "plain_text", "text": "1 hour"}, "value": "hour"})
        shots.append(("snoozed", settled("*Snoozed until")))
        press(state_root.RESOLVE_ACTION, type="button", value=root)
        shots.append(("resolved", settled("*Resolved*")))
        return shots, {uid: str(u.get("name") or uid) for uid, u in fake_slack.users.items()}, posted
    finally:
        logging.getLogger("metaops.queue.leases").setLevel(logging.ERROR)  # its heartbeat outlives our redis-server
        rt.db.dispose()
        rt.redis.close()
        runtime.install(None)
        fake_slack.close()
        fake_graph.close()
        redis.stop()


def campaign_progress() -> dict[str, Any]:
    """A campaign's progress message mid-way, as metaops.campaigns.progress builds it: sending, some failed with
    Meta's reasons, part of the list held back over the messaging limit (with its Cancel held button)."""
    sys.path.insert(0, str(ROOT))
    from collections import Counter

    from metaops.campaigns import progress
    from metaops.campaigns.tally import Tally
    from store.models import Campaign

    c = Campaign(id=7, name="Spring sale", template_name="spring_sale", state="sending", summary={}, reason=None,
                 held_until=datetime(2026, 12, 8, 9, 30))
    t = Tally(total=2400, waiting=760, held=400, sent=1236, delivered=1180, read=702, failed=4, unknown=0,
              replied=38, reasons=Counter({"131026 Message undeliverable": 3,
                                           "131049 Not delivered to keep the ecosystem healthy": 1}))
    text, blocks = progress.blocks(c, t)
    return {"text": text, "blocks": blocks, "ts": str(datetime(2026, 12, 7, 14, 5, tzinfo=UTC).timestamp())}


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        sys.exit("screenshots: chromium is not installed (Debian: apt-get install chromium)")
    return found


def shoot(html_text: str, png: Path, workdir: Path, height: int) -> None:
    """The page, in headless Chromium, WIDTH x height pixels."""
    source = workdir / f"{png.stem}.html"
    source.write_text(html_text, encoding="utf-8")
    cmd = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-dev-shm-usage", f"--user-data-dir={workdir / 'profile'}", "--force-device-scale-factor=1",
           f"--window-size={WIDTH},{height}", f"--screenshot={png}", source.as_uri()]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=90)
    if not png.is_file():
        sys.exit(f"screenshots: chromium made no {png.name}: {result.stderr[-1000:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="where the PNGs go (default: docs/)")
    parser.add_argument("--only", choices=("roots", "campaign"), help="one set of screenshots (default: all)")
    args = parser.parse_args()
    chromium()
    with tempfile.TemporaryDirectory(prefix="metaops-shots-") as tmp:
        workdir = Path(tmp)
        args.out.mkdir(parents=True, exist_ok=True)
        if args.only in (None, "roots"):
            shots, users, posted = roots(workdir)
            for state, message in shots:
                png = args.out / f"root-{state}.png"
                shoot(page(message, users, posted), png, workdir, height=226)
                print(f"{png} ({png.stat().st_size // 1024} KB)")
        if args.only in (None, "campaign"):
            png = args.out / "campaign-progress.png"
            shoot(page(campaign_progress(), {}), png, workdir, height=250)
            print(f"{png} ({png.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
