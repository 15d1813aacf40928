"""`/meta templates [STATUS] [CATEGORY]` (paged in place) and `/meta template new|edit|delete`."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

import bot.modals.template
from bot.commands.context import Ctx, Reply, run, text
from bot.runtime import runtime_of
from integrations.meta.template_rules import CATEGORIES, draft_from_components
from integrations.slack.blocks import actions, button, confirm_dialog, context_block, section
from integrations.slack.mrkdwn import escape
from metaops import messages
from metaops.delivery import render
from metaops.queue import enqueue
from metaops.runtime import Runtime
from metaops.templates import catalog


def parse_filters(args: list[str]) -> tuple[str | None, str | None, str | None]:
    """(status, category, the word that is neither)."""
    status = category = None
    for word in (a.upper() for a in args):
        if word in catalog.STATUSES and status is None:
            status = word
        elif word in CATEGORIES and category is None:
            category = word
        else:
            return None, None, word
    return status, category, None


def list_templates(ctx: Ctx) -> Reply:
    status, category, bad = parse_filters(ctx.args[1:])
    if bad:
        return text(messages.TEMPLATES_FILTER_ERROR.format(word=bad.lower(), statuses=", ".join(catalog.STATUSES)))
    catalog.sync(ctx.rt, ctx.team_id)
    return page_reply(ctx.rt, ctx.team_id, status, category, 1)


def page_reply(rt: Runtime, team_id: str, status: str | None, category: str | None, page: int) -> Reply:
    found = catalog.listing(rt, team_id, status, category, page)
    if not found.total:
        return text(messages.TEMPLATES_NONE)
    title = f"*Templates* ({found.total}" + "".join(f", {x}" for x in (status, category) if x) + ")"
    lines = [f"{render.STATUS_MARK.get(t.status, ':grey_question:')} *{escape(t.name)}* · {t.language} · "
             f"{t.category} · {t.status}" + (f" — {escape(t.rejected_reason)}" if t.rejected_reason else "")
             for t in found.rows]
    blocks = [section(title), section("\n".join(lines))]
    nav = [button(label, f"templates_{label.lower()}", value=json.dumps({"p": target, "s": status, "c": category}))
           for label, target in (("Previous", found.page - 1), ("Next", found.page + 1)) if 1 <= target <= found.pages]
    blocks.append(context_block(f"Page {found.page} of {found.pages}"))
    if nav:
        blocks.append(actions(*nav))
    return {"text": title + "\n" + "\n".join(lines), "blocks": blocks}


def template(ctx: Ctx) -> Reply:
    verb = ctx.args[1].lower() if len(ctx.args) > 1 else ""
    name = ctx.args[2] if len(ctx.args) > 2 else ""
    if verb not in ("new", "edit", "delete") or (verb != "new" and not name):
        return text(messages.TEMPLATE_USAGE)
    ctx.require_admin()
    meta = {"team_id": ctx.team_id, "channel_id": ctx.channel_id}
    if verb == "new":
        catalog.wabas(ctx.rt, ctx.team_id)
        ctx.client.views_open(trigger_id=ctx.trigger_id, view=bot.modals.template.build(meta=meta))
        return {}
    found = catalog.find(ctx.rt, ctx.team_id, name)
    if not found:
        return text(messages.TEMPLATE_NOT_FOUND.format(name=name))
    if verb == "delete":
        return {"text": messages.TEMPLATE_DELETE_CONFIRM.format(name=name), "blocks": [
            section(messages.TEMPLATE_DELETE_CONFIRM.format(name=name)),
            actions(button("Delete", "template_delete", value=name, style="danger", confirm=confirm_dialog(
                "Delete template?", f"{name} will be deleted at Meta.", "Delete", "Keep it", style="danger")))]}
    t = found[0]
    if t.status not in catalog.EDITABLE:
        return text(messages.TEMPLATE_NOT_EDITABLE.format(name=name, status=t.status))
    draft = draft_from_components(t.name, t.language, t.category, t.components)
    ctx.client.views_open(trigger_id=ctx.trigger_id, view=bot.modals.template.build(
        draft, {**meta, "template_id": t.id, "name": t.name, "language": t.language}))
    return {}


def paging_value(raw: Any) -> tuple[int, str | None, str | None] | None:
    """A Previous/Next button's value as we made it: (page, status, category), else None."""
    try:
        v = json.loads(raw or "")
    except ValueError:
        return None
    if not isinstance(v, dict) or not isinstance(v.get("p"), int) or isinstance(v.get("p"), bool):
        return None
    status, category = v.get("s"), v.get("c")
    if status not in (None, *catalog.STATUSES) or category not in (None, *CATEGORIES):
        return None
    return v["p"], status, category


def templates_page_turned(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond,
                          context: BoltContext) -> None:
    """Previous or Next under `/meta templates`: that page, in place."""
    ack()
    v = paging_value(action.get("value"))
    if v is None:  # not a value we made
        respond(replace_original=False, response_type="ephemeral", text=messages.ACTION_NOT_VALID)
        return
    # listing reads only the signed team's templates, whatever the button says
    respond(replace_original=True, **page_reply(runtime_of(context), body["team"]["id"], v[1], v[2], v[0]))


def template_delete_confirmed(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond,
                              client: WebClient, context: BoltContext) -> None:
    """The Delete button of `/meta template delete NAME`, once its confirm was accepted."""
    ack()
    ctx = Ctx(rt=runtime_of(context), client=client, team_id=body["team"]["id"], user_id=body["user"]["id"],
              channel_id=(body.get("channel") or {}).get("id", ""), args=["template", "delete", action["value"]])
    respond(replace_original=True, **run(delete_confirmed, ctx))


def delete_confirmed(ctx: Ctx) -> Reply:
    """Delete the template the button names (`ctx.args[2]`), if it is one of the signed team's own."""
    ctx.require_admin()
    name = str(ctx.args[2] or "")
    if not catalog.find(ctx.rt, ctx.team_id, name):  # only a template of the signed team's own
        return text(messages.TEMPLATE_NOT_FOUND.format(name=escape(name[:60])))
    catalog.delete(ctx.rt, ctx.team_id, name)
    enqueue.refresh_home(ctx.rt.queue, ctx.team_id, ctx.user_id)
    return text(messages.TEMPLATE_DELETED.format(name=name))


def register(app: App) -> None:
    app.action("templates_previous")(templates_page_turned)
    app.action("templates_next")(templates_page_turned)
    app.action("template_delete")(template_delete_confirmed)
