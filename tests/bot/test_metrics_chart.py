"""`/meta metrics` charts: PNGs uploaded through the Slack fake's upload API (files.getUploadURLExternal, the
upload URL, files.completeUploadExternal) into the channel or DM of the command, in the command's follow-up,
with the table still in the reply; an empty period, an upload Slack refuses and unknown read counts; the pure
chart functions' bad inputs; matplotlib never loaded by the app's import.

`METRICS_CHART_IMAGE=docs/metrics-chart.png pytest tests/bot/test_metrics_chart.py -k uploads` also saves the
daily chart the README shows.
"""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from metaops import defaults, messages
from metaops.surfaces import charts
from metaops.templates import catalog
from tests.constants import WABA
from tests.fakes.http import Reply
from tests.fakes.meta_graph import graph_error
from tests.helpers import connect_whatsapp, slash_command

ROOT = Path(__file__).resolve().parents[2]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def connected(rt, fake_graph):
    connect_whatsapp(rt, channel="C_CONNECT", token=fake_graph.issue_token())
    return rt


def later(client, fake_slack, words, user="U_MEMBER", channel="C1"):
    """A slow /meta command run in `channel`: acked with "working on it", answered through response_url."""
    fake_slack.calls.clear()
    r = slash_command(client, words, user=user, channel=channel, response_url=fake_slack.url + "/response")
    assert "Working" in r.get_json()["text"]
    [answer] = fake_slack.responses()
    return answer


def uploads(fake_slack):
    """[(files.getUploadURLExternal call's params, bytes sent to the upload URL)], in upload order."""
    asked = [c.params for c in fake_slack.calls if c.path == "/api/files.getUploadURLExternal"]
    sent = [c.raw for c in fake_slack.calls if c.path == "/upload"]
    assert len(asked) == len(sent)
    return list(zip(asked, sent, strict=True))


def assert_png_drawn(data: bytes, width: int = defaults.CHART_WIDTH, height: int = defaults.CHART_HEIGHT):
    """A PNG (signature, IHDR chunk first) of that size whose pixels are not all the same colour."""
    from PIL import Image  # Pillow comes with matplotlib

    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    assert struct.unpack(">II", data[16:24]) == (width, height)
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (width, height)
        colours = image.convert("RGB").getcolors(maxcolors=width * height)
    assert colours is not None and len(colours) > 10  # lines, text and background, not one flat colour


@pytest.mark.parametrize("channel", ["C_PUBLIC", "D_APP_DM"])
def test_metrics_uploads_charts_and_keeps_the_table(client, connected, fake_slack, fake_graph, channel):
    fake_graph.add_templates(2)
    catalog.sync(connected, "T1")
    answer = later(client, fake_slack, "metrics 3", user="U_MEMBER", channel=channel)["text"]
    rows = answer.split("```")[1].splitlines()  # the table, for screen readers, as before
    assert rows[0].split() == ["day", "sent", "delivered", "read"]
    assert [r.split()[1:] for r in rows[1:4]] == [["10", "9", "9"], ["20", "18", "9"], ["30", "27", "9"]]

    [(daily, daily_png), (rates, rates_png)] = uploads(fake_slack)
    assert daily["filename"] == "whatsapp-messages-3d.png" and int(daily["length"]) == len(daily_png)
    assert rates["filename"] == "template-read-rates-3d.png" and int(rates["length"]) == len(rates_png)
    assert_png_drawn(daily_png)
    assert_png_drawn(rates_png)
    assert "60 sent, 54 delivered and 27 read" in daily["alt_txt"]  # what a screen reader says of the image
    first, second = sorted(t["name"] for t in fake_graph.templates)  # the fake: the second delivers twice as many
    assert rates["alt_txt"] == messages.METRICS_RATES_ALT.format(rates=f"{second} 75%, {first} 75%")

    [done] = fake_slack.files  # one message with both images, where the command was run
    assert done["channel_id"] == channel
    assert [f["title"] for f in done["files"]] == [messages.CHART_DAILY_TITLE.format(days=3),
                                                   messages.CHART_RATES_TITLE.format(days=3)]
    assert done["initial_comment"] == messages.METRICS_CHART_COMMENT.format(days=3)
    assert "chart" not in answer.lower()  # no note: the charts went up
    if os.environ.get("METRICS_CHART_IMAGE") and channel == "C_PUBLIC":
        later(client, fake_slack, "metrics 14", user="U_MEMBER", channel=channel)
        Path(os.environ["METRICS_CHART_IMAGE"]).write_bytes(uploads(fake_slack)[0][1])


def test_empty_period_says_so_and_uploads_nothing(client, connected, fake_slack, fake_graph):
    fake_graph.fail_next(f"/v26.0/{WABA}", Reply(200, {"id": WABA, "analytics": {"data_points": []}}))
    answer = later(client, fake_slack, "metrics 5", user="U_MEMBER")["text"]
    assert messages.METRICS_EMPTY.format(days=5) in answer
    assert answer.split("```")[1].splitlines()[-1].split() == ["total", "0", "0"]  # the table is still there
    assert uploads(fake_slack) == [] and fake_slack.files == []


@pytest.mark.parametrize(("error", "hint"), [("not_in_channel", True), ("channel_not_found", True),
                                             ("invalid_channel", False)])
def test_upload_refused_keeps_the_table_and_says_why(client, connected, fake_slack, error, hint):
    fake_slack.fail_next("/api/files.completeUploadExternal", Reply(200, {"ok": False, "error": error}))
    answer = later(client, fake_slack, "metrics 2", user="U_MEMBER", channel="G_PRIVATE")["text"]
    assert answer.split("```")[1].splitlines()[0].split() == ["day", "sent", "delivered", "read"]
    assert messages.METRICS_CHART_REFUSED.format(
        error=error, hint=messages.METRICS_CHART_INVITE if hint else "") in answer
    assert fake_slack.files == []


def test_upload_rate_limited_keeps_the_table(client, connected, fake_slack):
    fake_slack.fail_next("/api/files.getUploadURLExternal",
                         Reply(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "30"}))
    answer = later(client, fake_slack, "metrics 2", user="U_MEMBER")["text"]
    assert "total" in answer.split("```")[1]
    assert messages.METRICS_CHART_REFUSED.format(error="ratelimited", hint="") in answer


def test_without_read_counts_one_chart_and_no_read_line(client, connected, fake_slack, fake_graph):
    fake_graph.add_templates(1)
    catalog.sync(connected, "T1")
    fake_graph.fail_next(f"/v26.0/{WABA}/template_analytics", graph_error(100, "(#100) Invalid parameter"))
    answer = later(client, fake_slack, "metrics 4", user="U_MEMBER")["text"]
    assert "Read counts are not available" in answer
    [(daily, png)] = uploads(fake_slack)  # no read-rate chart without template counts
    assert_png_drawn(png)
    assert messages.METRICS_ALT_NO_READ in daily["alt_txt"]


def test_bad_days_upload_nothing(client, connected, fake_slack):
    assert "1 to 90" in later(client, fake_slack, "metrics 91")["text"]
    assert uploads(fake_slack) == []


def test_chart_sizes_and_edge_data():
    one_day = charts.daily([("2026-11-01", 3, 0, None)], "one day", width=400, height=300)
    assert_png_drawn(one_day, 400, 300)
    long_name = "n" * 200
    assert_png_drawn(charts.read_rates([(long_name, 0.0), ("b", 1.0)], "rates", width=640, height=320), 640, 320)


@pytest.mark.parametrize("rates", [[], [("a", 1.5)], [("a", -0.1)]])
def test_read_rates_refuses_bad_input(rates):
    with pytest.raises(ValueError):
        charts.read_rates(rates, "t")


def test_daily_refuses_no_days():
    with pytest.raises(ValueError):
        charts.daily([], "t")


def test_app_import_does_not_load_matplotlib():
    """The web process (webhooks) never pays for matplotlib's import: only drawing a chart loads it."""
    code = ("import sys, metaops, metaops.surfaces.charts, bot.commands.meta, metaops.web.meta_webhook; "
            "print('matplotlib' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert r.stdout.strip() == "False"
