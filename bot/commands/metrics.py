"""`/meta metrics [DAYS]`: a small table of WhatsApp sent, delivered and read counts per day, and the same as a
chart image (with a chart of read rate per template when Meta gives template counts) uploaded into the channel
or DM where the command was run. The table stays in the reply: it is what a screen reader reads."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.commands.context import Ctx, Reply, text
from integrations.slack.client import call
from integrations.slack.errors import SlackRateLimited
from metaops import defaults, messages
from metaops import inbox_messages as texts
from metaops.surfaces import charts, conversation_times, insights

log = logging.getLogger(__name__)
NOT_HERE = {"not_in_channel", "channel_not_found"}  # Slack's answers when the app may not post there


def metrics_command(ctx: Ctx) -> Reply:
    raw = ctx.args[1] if len(ctx.args) > 1 else "7"
    if not raw.isdigit() or not 1 <= int(raw) <= insights.MAX_DAYS:
        return text(messages.METRICS_USAGE.format(max=insights.MAX_DAYS))
    days = int(raw)
    r = insights.report(ctx.rt, ctx.team_id, days)
    rows = [f"{'day':<10}  {'sent':>7}  {'delivered':>9}  {'read':>7}"]
    for day, c in r.days.items():
        rows.append(f"{day:<10}  {c.sent:>7}  {c.delivered:>9}  {'—' if c.read is None else c.read:>7}")
    total = sum(c.sent for c in r.days.values()), sum(c.delivered for c in r.days.values())
    rows.append(f"{'total':<10}  {total[0]:>7}  {total[1]:>9}")
    lines = [messages.METRICS_TITLE.format(days=days), "```" + "\n".join(rows) + "```"]
    if r.top_template:
        lines.append(messages.METRICS_TOP.format(name=r.top_template[0], sent=r.top_template[1]))
    lines += r.notes
    times = conversation_times.per_day(ctx.rt, ctx.team_id, days)
    lines += timing_lines(times, days)
    note = upload_charts(ctx, r, days, times)
    if note:
        lines.append(note)
    return text("\n".join(lines))


def upload_charts(ctx: Ctx, r: insights.Report, days: int,
                  times: list[conversation_times.DayTimes] | None = None) -> str | None:
    """Draw the charts and upload them (one message) where the command was run. Runs in the command's
    follow-up (after the ack), never on a request Slack waits for. Returns a note for the reply when there is
    no chart: an empty period, a chart that could not be drawn, or Slack refusing the upload."""
    empty = insights.is_empty(r)
    if empty and not times:
        return messages.METRICS_EMPTY.format(days=days)
    try:
        files = [] if empty else _message_charts(r, days)
        if times:
            files.append(_timings_chart(times, days))
    except Exception:  # noqa: BLE001 - the table is still worth answering; logged with a reference to quote
        ref = uuid.uuid4().hex[:8]
        log.exception("metrics chart failed (ref %s)", ref)
        return messages.METRICS_CHART_FAILED.format(ref=ref)
    try:
        call(ctx.client.files_upload_v2, channel=ctx.channel_id, file_uploads=files,
             initial_comment=messages.METRICS_CHART_COMMENT.format(days=days))
    except SlackApiError as e:  # not in the channel, a DM the app is not part of…: say so, keep the table
        error = e.response.get("error") if e.response is not None else None
        log.warning("metrics chart upload to %s refused: %s", ctx.channel_id, error)
        hint = messages.METRICS_CHART_INVITE if error in NOT_HERE else ""
        return messages.METRICS_CHART_REFUSED.format(error=error or "an error", hint=hint)
    except SlackRateLimited:
        return messages.METRICS_CHART_REFUSED.format(error="ratelimited", hint="")
    return messages.METRICS_EMPTY.format(days=days) if empty else None


def _message_charts(r: insights.Report, days: int) -> list[dict[str, Any]]:
    files: list[dict[str, Any]] = [{
        "content": charts.daily([(d, c.sent, c.delivered, c.read) for d, c in r.days.items()],
                                messages.CHART_DAILY_TITLE.format(days=days)),
        "filename": f"whatsapp-messages-{days}d.png", "title": messages.CHART_DAILY_TITLE.format(days=days),
        "alt_txt": _daily_alt(r)}]
    rates = insights.read_rates(r, defaults.CHART_TEMPLATES)
    if rates:
        files.append({"content": charts.read_rates(rates, messages.CHART_RATES_TITLE.format(days=days)),
                      "filename": f"template-read-rates-{days}d.png",
                      "title": messages.CHART_RATES_TITLE.format(days=days),
                      "alt_txt": messages.METRICS_RATES_ALT.format(
                          rates=", ".join(f"{name} {rate:.0%}" for name, rate in rates))})
    return files


def _timings_chart(times: list[conversation_times.DayTimes], days: int) -> dict[str, Any]:
    title = texts.CHART_TIMINGS_TITLE.format(days=days)
    return {"content": charts.timings(times, title), "filename": f"conversation-times-{days}d.png", "title": title,
            "alt_txt": texts.CHART_TIMINGS_ALT.format(
                first=times[0][0], last=times[-1][0], first_response=_series(times, 1), resolve=_series(times, 2))}


def _series(times: list[conversation_times.DayTimes], index: int) -> str:
    values = [(day, (fr, res)[index - 1]) for day, fr, res in times]
    return ", ".join(f"{day[5:]} {_minutes(v)}" for day, v in values if v is not None) or "none"


def _minutes(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"


def timing_lines(times: list[conversation_times.DayTimes], days: int) -> list[str]:
    """The conversations' medians per day as a small table (what a screen reader reads)."""
    if not times:
        return [texts.METRICS_INBOX_EMPTY.format(days=days)]
    rows = [f"{'day':<10}  {'first response':>14}  {'to resolve':>10}"]
    rows += [f"{day:<10}  {_minutes(fr):>14}  {_minutes(res):>10}" for day, fr, res in times]
    return [texts.METRICS_INBOX_TITLE, "```" + "\n".join(rows) + "```"]


def _daily_alt(r: insights.Report) -> str:
    days = list(r.days.items())
    busiest = max(days, key=lambda item: item[1].sent)
    reads = [c.read for _, c in days if c.read is not None]
    return messages.METRICS_CHART_ALT.format(
        first=days[0][0], last=days[-1][0], sent=sum(c.sent for _, c in days),
        delivered=sum(c.delivered for _, c in days),
        read=messages.METRICS_ALT_READ.format(read=sum(reads)) if reads else messages.METRICS_ALT_NO_READ,
        busiest=busiest[0], most=busiest[1].sent)
