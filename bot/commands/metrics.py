"""`/meta metrics [DAYS]`: a small table of WhatsApp sent, delivered and read counts per day, and the same as a
chart image (with a chart of read rate per template when Meta gives template counts) uploaded into the channel
or DM where the command was run. The table stays in the reply: it is what a screen reader reads."""

from __future__ import annotations

import logging
import uuid

from slack_sdk.errors import SlackApiError

from bot.commands.context import Ctx, Reply, text
from integrations.slack.client import call
from integrations.slack.errors import SlackRateLimited
from metaops import defaults, messages
from metaops.surfaces import charts, insights

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
    note = upload_charts(ctx, r, days)
    if note:
        lines.append(note)
    return text("\n".join(lines))


def upload_charts(ctx: Ctx, r: insights.Report, days: int) -> str | None:
    """Draw the charts and upload them (one message) where the command was run. Runs in the command's
    follow-up (after the ack), never on a request Slack waits for. Returns a note for the reply when there is
    no chart: an empty period, a chart that could not be drawn, or Slack refusing the upload."""
    if insights.is_empty(r):
        return messages.METRICS_EMPTY.format(days=days)
    try:
        files = [{"content": charts.daily([(d, c.sent, c.delivered, c.read) for d, c in r.days.items()],
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
    return None


def _daily_alt(r: insights.Report) -> str:
    days = list(r.days.items())
    busiest = max(days, key=lambda item: item[1].sent)
    reads = [c.read for _, c in days if c.read is not None]
    return messages.METRICS_CHART_ALT.format(
        first=days[0][0], last=days[-1][0], sent=sum(c.sent for _, c in days),
        delivered=sum(c.delivered for _, c in days),
        read=messages.METRICS_ALT_READ.format(read=sum(reads)) if reads else messages.METRICS_ALT_NO_READ,
        busiest=busiest[0], most=busiest[1].sent)
