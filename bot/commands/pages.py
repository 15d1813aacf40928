"""`/meta pages`, `page connect`, `posts`, `post`, `instagram`, `instagram connect`, `media`."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

import bot.modals.post
from bot.commands.context import Ctx, Reply, run, text
from bot.runtime import runtime_of
from integrations.slack.blocks import actions, button, section
from integrations.slack.mrkdwn import escape
from metaops import messages
from metaops.assets import pages


def list_pages(ctx: Ctx) -> Reply:
    found = pages.refresh_pages(ctx.rt, ctx.team_id)
    if not found:
        return text(messages.PAGES_NONE)
    rows = []
    for p in found:
        followers = f", {p['followers_count']} followers" if p.get("followers_count") is not None else ""
        rows.append((f"*{escape(p.get('name', p['id']))}* — {p.get('category', '')}{followers} (`{p['id']}`)",
                     p["id"], p["connected"]))
    return _connectable("Facebook Pages", "page_connect", rows)


def _connectable(title: str, action_id: str, rows: list[tuple[str, str, bool]]) -> Reply:
    """A list with a Connect button on each row not connected yet."""
    blocks = [section(f"*{title}*")] + [
        section(line + "\n:white_check_mark: connected") if connected
        else section(line, accessory=button("Connect", action_id, value=value)) for line, value, connected in rows]
    lines = [line + (" — connected" if connected else "") for line, _, connected in rows]
    return {"text": f"{title}:\n" + "\n".join(lines), "blocks": blocks}


def page(ctx: Ctx) -> Reply:
    if len(ctx.args) != 3 or ctx.args[1].lower() != "connect":
        return text(messages.PAGE_USAGE)
    return _connect_page(ctx, ctx.args[2])


def _connect_page(ctx: Ctx, page_id: str) -> Reply:
    ctx.require_admin()
    try:
        return text(messages.PAGE_CONNECTED.format(name=pages.connect_page(ctx.rt, ctx.team_id, page_id)))
    except pages.NotManaged:
        return text(messages.PAGE_NOT_MANAGED.format(id=page_id))


def list_posts(ctx: Ctx, page_id: str | None = None, after: str | None = None, before: str | None = None) -> Reply:
    page_id = page_id or (ctx.args[1] if len(ctx.args) > 1 else
                          pages.only_one(pages.connected_pages(ctx.rt, ctx.team_id), "Page"))
    try:
        found = pages.posts(ctx.rt, ctx.team_id, page_id, after, before)
    except pages.NotManaged:
        return text(messages.PAGE_NOT_MANAGED.format(id=page_id))
    lines = []
    for p in found.items:
        excerpt = escape((p.get("message") or "(no text)")[:140])
        reactions = ((p.get("reactions") or {}).get("summary") or {}).get("total_count")
        comments = ((p.get("comments") or {}).get("summary") or {}).get("total_count")
        counts = " · ".join(x for x in (f"{reactions} reactions" if reactions is not None else "",
                                        f"{comments} comments" if comments is not None else "") if x)
        link = f"<{p['permalink_url']}|open>" if p.get("permalink_url") else f"`{p.get('id')}`"
        lines.append(f"• {str(p.get('created_time', ''))[:16].replace('T', ' ')} — {excerpt} {link}"
                     + (f" ({counts})" if counts else ""))
    return _paged(messages.POSTS_NONE if not lines else "*Recent posts*\n" + "\n".join(lines), "posts", page_id,
                  found)


def _paged(body: str, kind: str, target: str, found: pages.Listing) -> Reply:
    blocks = [section(body)]
    nav = [button(label, f"{kind}_{label.lower()}", value=json.dumps({"t": target, direction: cursor}))
           for label, direction, cursor in (("Previous", "b", found.before), ("Next", "a", found.after)) if cursor]
    if nav:
        blocks.append(actions(*nav))
    return {"text": body, "blocks": blocks}


def post(ctx: Ctx) -> Reply:
    ctx.require_admin()
    options = pages.connected_pages(ctx.rt, ctx.team_id)
    if not options:
        return text(messages.POST_NO_PAGE)
    ctx.client.views_open(trigger_id=ctx.trigger_id, view=bot.modals.post.build(
        options, {"team_id": ctx.team_id, "channel_id": ctx.channel_id}))
    return {}


def list_instagram(ctx: Ctx) -> Reply:
    found = pages.instagram_accounts(ctx.rt, ctx.team_id)
    if not found:
        return text(messages.IG_NONE)
    return _connectable("Instagram accounts", "instagram_connect", [
        (f"*@{escape(a.get('username', ''))}* — {escape(a.get('name') or '')}, "
         f"{a.get('followers_count', '?')} followers, {a.get('media_count', '?')} media (`{a['id']}`)",
         a["id"], a["connected"]) for a in found])


def instagram(ctx: Ctx) -> Reply:
    if len(ctx.args) == 1:
        return list_instagram(ctx)
    if len(ctx.args) != 3 or ctx.args[1].lower() != "connect":
        return text(messages.IG_USAGE)
    return _connect_instagram(ctx, ctx.args[2])


def _connect_instagram(ctx: Ctx, ig_id: str) -> Reply:
    ctx.require_admin()
    try:
        return text(messages.IG_CONNECTED.format(name=pages.connect_instagram(ctx.rt, ctx.team_id, ig_id)))
    except pages.NotManaged:
        return text(messages.PAGE_NOT_MANAGED.format(id=ig_id))


def list_media(ctx: Ctx, ig_id: str | None = None, after: str | None = None, before: str | None = None) -> Reply:
    ig_id = ig_id or (ctx.args[1] if len(ctx.args) > 1 else
                      pages.only_one(pages.connected_instagram(ctx.rt, ctx.team_id), "Instagram account"))
    try:
        found = pages.media(ctx.rt, ctx.team_id, ig_id, after, before)
    except pages.NotManaged:
        return text(messages.PAGE_NOT_MANAGED.format(id=ig_id))
    lines = [f"• {m.get('media_type', '?')} — {escape((m.get('caption') or '(no caption)')[:120])} "
             f"<{m.get('permalink', '')}|open> ({m.get('like_count', 0)} likes · {m.get('comments_count', 0)} "
             f"comments)" for m in found.items]
    return _paged(messages.MEDIA_NONE if not lines else "*Recent media*\n" + "\n".join(lines), "media", ig_id, found)


ASSET_ID = re.compile(r"^[0-9A-Za-z_]{1,64}$")
CURSOR = re.compile(r"^[0-9A-Za-z_\-=%.]{1,1024}$")


def paging_value(raw: Any) -> dict[str, str] | None:
    """A Previous/Next button's value as we made it ({"t": id, "a" or "b": cursor}), else None."""
    try:
        v = json.loads(raw or "")
    except ValueError:
        return None
    if not isinstance(v, dict) or not isinstance(v.get("t"), str) or not ASSET_ID.match(v["t"]):
        return None
    cursors = {k: v[k] for k in ("a", "b") if k in v}
    if len(cursors) != 1 or not all(isinstance(c, str) and CURSOR.match(c) for c in cursors.values()):
        return None
    return {"t": v["t"], **cursors}


def page_connect_clicked(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond,
                         client: WebClient, context: BoltContext) -> None:
    """A Page's Connect button under `/meta pages`: `/meta page connect PAGE_ID` (pages.connect_page connects only
    a Page the signed team's own connection manages)."""
    ack()
    _connect_asset(body, action, respond, client, context, page, "page")


def instagram_connect_clicked(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond,
                              client: WebClient, context: BoltContext) -> None:
    """An account's Connect button under `/meta instagram`: `/meta instagram connect IG_ID` (pages.connect_instagram
    connects only an account of the signed team's connected Pages)."""
    ack()
    _connect_asset(body, action, respond, client, context, instagram, "instagram")


def _connect_asset(body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient,
                   context: BoltContext, handler: Any, word: str) -> None:
    value = str(action.get("value") or "")
    if not ASSET_ID.match(value):
        respond(replace_original=False, response_type="ephemeral", text=messages.ACTION_NOT_VALID)
        return
    respond(replace_original=False, response_type="ephemeral",
            **run(handler, _ctx_of(body, client, context, [word, "connect", value])))


def posts_page_turned(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient,
                      context: BoltContext) -> None:
    """Previous or Next under `/meta posts`."""
    _turn(list_posts, ack, body, action, respond, client, context)


def media_page_turned(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient,
                      context: BoltContext) -> None:
    """Previous or Next under `/meta media`."""
    _turn(list_media, ack, body, action, respond, client, context)


def _turn(listing: Callable[..., Reply], ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond,
          client: WebClient, context: BoltContext) -> None:
    ack()
    v = paging_value(action.get("value"))
    if v is None:  # not a value we made: nothing is read
        respond(replace_original=False, response_type="ephemeral", text=messages.ACTION_NOT_VALID)
        return
    # the Page or account is looked up among the signed team's own (pages.page_token / pages.media)
    respond(replace_original=True, **run(lambda c: listing(c, v["t"], v.get("a"), v.get("b")),
                                         _ctx_of(body, client, context)))


def _ctx_of(body: dict[str, Any], client: WebClient, context: BoltContext, args: list[str] | None = None) -> Ctx:
    return Ctx(rt=runtime_of(context), client=client, team_id=body["team"]["id"], user_id=body["user"]["id"],
               channel_id=(body.get("channel") or {}).get("id", ""), args=args or [])


def register(app: App) -> None:
    app.action("page_connect")(page_connect_clicked)
    app.action("instagram_connect")(instagram_connect_clicked)
    app.action("posts_next")(posts_page_turned)
    app.action("posts_previous")(posts_page_turned)
    app.action("media_next")(media_page_turned)
    app.action("media_previous")(media_page_turned)
