"""`/meta cost [DAYS]`: what Meta's WhatsApp messages cost over the last DAYS days (7 when left out), from the
pricing Meta's statuses reported: per day and category (paid and free), per business number, and the rate card's
estimate; the same as a chart uploaded into the channel. The table stays in the reply (a screen reader reads it)."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.commands.context import Ctx, Reply, text
from bot.commands.metrics import NOT_HERE
from integrations.slack.client import call
from integrations.slack.errors import SlackRateLimited
from metaops import messages
from metaops.costs.estimate import money
from metaops.costs.spent import MAX_DAYS, Spent, spent
from metaops.surfaces import charts

log = logging.getLogger(__name__)


def cost_command(ctx: Ctx) -> Reply:
    raw = ctx.args[1] if len(ctx.args) > 1 else "7"
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_DAYS:
        return text(messages.COST_USAGE.format(max=MAX_DAYS))
    days = int(raw)
    s = spent(ctx.rt, ctx.team_id, days)
    if s.empty:
        return text(messages.COST_EMPTY.format(days=days))
    rows = [f"{'day':<10}  {'category':<28}  {'paid':>6}  {'free':>6}"]
    for day, category in sorted(set(s.paid) | set(s.free)):
        rows.append(f"{day:<10}  {category:<28}  {s.paid[(day, category)]:>6}  {s.free[(day, category)]:>6}")
    numbers = sorted({n for n, _ in s.numbers})
    lines = [messages.COST_TITLE.format(days=days), "```" + "\n".join(rows) + "```",
             messages.COST_NUMBERS.format(numbers=", ".join(
                 f"`{n}` {s.numbers[(n, True)]} paid / {s.numbers[(n, False)]} free" for n in numbers)),
             messages.COST_ESTIMATE.format(paid=sum(s.paid.values()), cost=money(
                 {k: str(v) for k, v in s.cost.items()}), unpriced=messages.CAMPAIGN_REVIEW_UNPRICED.format(
                 n=s.unpriced) if s.unpriced else "")]
    note = _upload_chart(ctx, s)
    if note:
        lines.append(note)
    return text("\n".join(lines))


def _upload_chart(ctx: Ctx, s: Spent) -> str | None:
    categories = sorted({c for _, c in s.paid} | {c for _, c in s.free})
    bars = [(messages.COST_BAR_PAID.format(category=c), sum(n for (_, k), n in s.paid.items() if k == c))
            for c in categories] + [(messages.COST_BAR_FREE.format(category=c), sum(
                n for (_, k), n in s.free.items() if k == c)) for c in categories]
    title = messages.COST_CHART_TITLE.format(days=s.days)
    try:
        png = charts.counts([b for b in bars if b[1]], title)
        call(ctx.client.files_upload_v2, channel=ctx.channel_id, file_uploads=[{
            "content": png, "filename": f"whatsapp-cost-{s.days}d.png", "title": title,
            "alt_txt": ", ".join(f"{label}: {n}" for label, n in bars if n)}], initial_comment=title)
    except SlackApiError as e:
        error = e.response.get("error") if e.response is not None else None
        log.warning("cost chart upload to %s refused: %s", ctx.channel_id, error)
        return messages.METRICS_CHART_REFUSED.format(
            error=error or "an error", hint=messages.METRICS_CHART_INVITE if error in NOT_HERE else "")
    except SlackRateLimited:
        return messages.METRICS_CHART_REFUSED.format(error="ratelimited", hint="")
    return None
