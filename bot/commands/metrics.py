"""`/meta metrics [DAYS]`: a small table of WhatsApp sent, delivered and read counts per day."""

from __future__ import annotations

from bot.commands.context import Ctx, Reply, text
from metaops import messages, metrics


def metrics_command(ctx: Ctx) -> Reply:
    raw = ctx.args[1] if len(ctx.args) > 1 else "7"
    if not raw.isdigit() or not 1 <= int(raw) <= metrics.MAX_DAYS:
        return text(messages.METRICS_USAGE.format(max=metrics.MAX_DAYS))
    days = int(raw)
    r = metrics.report(ctx.rt, ctx.team_id, days)
    rows = [f"{'day':<10}  {'sent':>7}  {'delivered':>9}  {'read':>7}"]
    for day, c in r.days.items():
        rows.append(f"{day:<10}  {c.sent:>7}  {c.delivered:>9}  {'—' if c.read is None else c.read:>7}")
    total = sum(c.sent for c in r.days.values()), sum(c.delivered for c in r.days.values())
    rows.append(f"{'total':<10}  {total[0]:>7}  {total[1]:>9}")
    lines = [messages.METRICS_TITLE.format(days=days), "```" + "\n".join(rows) + "```"]
    if r.top_template:
        lines.append(messages.METRICS_TOP.format(name=r.top_template[0], sent=r.top_template[1]))
    lines += r.notes
    return text("\n".join(lines))
