"""The app's Home tab (SPEC): for the viewer's workspace, the Meta connection, each WhatsApp number (quality,
messaging limit, status), templates by status with the latest rejections, unanswered customer threads,
routes and webhook state, and what Meta's WhatsApp messages cost this month; for admins, buttons for the common
actions.

Published on `app_home_opened` (bot/events/home.py) and again after a change the user made (`enqueue.refresh_home`
queues a job, so the change's own answer never waits for it). What Meta says of the numbers is read when older
than HOME_NUMBERS_STALE_AFTER: quality lands in the phone_numbers rows, limit tier and status (no columns for
them) in a Redis cache with that TTL. Everything is fitted to Slack's limits (at most HOME_BLOCKS blocks)."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import func, select

from integrations.meta import whatsapp
from integrations.meta.errors import GraphError
from integrations.meta.limits import limit_of
from integrations.meta.oauth import SCOPES
from integrations.slack import limits
from integrations.slack.blocks import Block, actions, button, context_block, header, section
from integrations.slack.client import call, permalink
from integrations.slack.mrkdwn import escape
from metaops import defaults, messages
from metaops.assets import subscriptions
from metaops.conversation import unanswered
from metaops.costs import spent
from metaops.costs.estimate import money
from metaops.exceptions import NotConnected
from metaops.permissions import may_change
from metaops.runtime import Runtime
from metaops.surfaces import inbox
from metaops.templates import catalog
from store import workspaces
from store.models import NotificationRoute, PhoneNumber, Template, WhatsAppAccount, Workspace

log = logging.getLogger(__name__)
NUMBERS_KEY = "metaops:home:numbers:{waba}"  # JSON: phone number id -> {"tier", "status"}
# action ids of the admin buttons (bot/events/home.py opens what /meta connect, webhook configure, template new do)
CONNECT_ACTION, WEBHOOK_ACTION, TEMPLATE_ACTION = "home_connect", "home_webhook_configure", "home_template_new"


@dataclass
class Connection:
    status: str
    reason: str | None
    connected_by: str | None
    meta_user: str
    created_at: datetime
    expires_at: datetime | None
    missing: list[str]


@dataclass
class Number:
    display: str
    name: str
    quality: str
    tier: str
    status: str


@dataclass
class Waiting:
    channel: str
    since: float
    url: str | None


@dataclass
class HomeData:
    now: datetime
    connection: Connection | None = None
    numbers: list[Number] = field(default_factory=list)
    numbers_unread: bool = False  # Meta could not be asked: quality as stored, tier and status unknown
    template_counts: dict[str, int] = field(default_factory=dict)
    rejections: list[tuple[str, str, str]] = field(default_factory=list)  # name, language, reason
    routes: list[tuple[str, str | None]] = field(default_factory=list)  # kind, channel
    webhooks: list[tuple[str, str]] = field(default_factory=list)  # label, state
    webhooks_lacking: list[tuple[str, list[str]]] = field(default_factory=list)  # label, new fields not subscribed
    unanswered: int = 0
    waiting: list[Waiting] = field(default_factory=list)
    inbox: inbox.Queues | None = None  # the viewer's conversations and the unclaimed ones
    month: spent.Spent | None = None  # this month's priced messages (costs/spent.py)


def publish(rt: Runtime, team_id: str, user_id: str, client: WebClient | None = None) -> dict[str, Any]:
    """Gather, build and publish the user's Home tab; returns the view."""
    client = client or rt.slack.for_team(team_id)
    data = gather(rt, team_id, client)
    if data.connection is not None:
        data.inbox = inbox.gather(rt, team_id, user_id, client)
    view = build(data, may_change(rt, client, team_id, user_id))
    call(client.views_publish, user_id=user_id, view=view)
    return view


def gather(rt: Runtime, team_id: str, client: WebClient) -> HomeData:
    data = HomeData(now=rt.now())
    token = None
    with rt.db.session() as s:
        conn = workspaces.connection_of(s, team_id)
        if conn is not None:
            missing = [p for p in SCOPES if p not in (conn.permissions or [])]
            data.connection = Connection(conn.status, conn.status_reason, conn.connected_by,
                                         conn.meta_user_name or conn.meta_user_id, conn.created_at,
                                         conn.token_expires_at, missing)
            token = rt.crypto.decrypt(conn.token_enc) if conn.status == "active" else None
    if data.connection is None:
        return data
    _numbers(rt, team_id, token, data)
    _templates(rt, team_id, token, data)
    _routes(rt, team_id, data)
    subs = subscriptions.chosen(rt)
    data.webhooks = [(label, subs[obj].state if obj in subs else messages.HOME_WEBHOOK_OFF)
                     for obj, (label, _) in subscriptions.OBJECTS.items()]
    data.webhooks_lacking = [(subscriptions.OBJECTS[obj][0], fields)
                             for obj, fields in subscriptions.lacking(subs).items()]
    data.month = spent.this_month(rt, team_id, data.now)
    data.unanswered = unanswered.count(rt, team_id)
    for w in unanswered.oldest(rt, team_id, defaults.HOME_UNANSWERED_SHOWN):
        data.waiting.append(Waiting(w.channel, w.since, permalink(client, w.channel, w.thread_ts)))
    return data


def _numbers(rt: Runtime, team_id: str, token: str | None, data: HomeData) -> None:
    with rt.db.session() as s:
        waba_ids = list(s.scalars(select(WhatsAppAccount.id).where(WhatsAppAccount.team_id == team_id)
                                  .order_by(WhatsAppAccount.id)))
    for waba_id in waba_ids:
        state = _phone_state(rt, waba_id, token)
        data.numbers_unread = data.numbers_unread or state is None
        with rt.db.session() as s:
            phones = s.scalars(select(PhoneNumber).where(PhoneNumber.waba_id == waba_id).order_by(PhoneNumber.id))
            for p in phones:
                extra = (state or {}).get(p.id) or {}
                data.numbers.append(Number(p.display_number or p.id, p.verified_name or "", p.quality_rating or "?",
                                           extra.get("tier") or "?", extra.get("status") or "?"))


def _phone_state(rt: Runtime, waba_id: str, token: str | None) -> dict[str, dict[str, str]] | None:
    """Limit tier and status per number, from the cache or (stale) from Meta, which also updates the stored
    names and quality. None when neither has it (no working token, Meta refused)."""
    key = NUMBERS_KEY.format(waba=waba_id)
    cached = rt.redis.get(key)
    if cached:
        state: dict[str, dict[str, str]] = json.loads(cached)
        return state
    if token is None:
        return None
    try:
        found = whatsapp.phone_numbers(rt.graph, token, waba_id)
    except GraphError as e:
        log.info("numbers of %s not read for the Home tab: %s", waba_id, e.user_text())
        return None
    state = {str(n.get("id")): {"tier": limit_of(n) or "", "status": str(n.get("status") or "")} for n in found}
    with rt.db.session() as s:
        for n in found:
            p = s.get(PhoneNumber, str(n.get("id")))
            if p is not None and p.waba_id == waba_id:
                p.display_number = n.get("display_phone_number") or p.display_number
                p.verified_name = n.get("verified_name") or p.verified_name
                p.quality_rating = n.get("quality_rating") or p.quality_rating
    rt.redis.set(key, json.dumps(state), ex=defaults.HOME_NUMBERS_STALE_AFTER)
    return state


def _templates(rt: Runtime, team_id: str, token: str | None, data: HomeData) -> None:
    if token is not None:
        try:
            catalog.sync(rt, team_id)  # only when older than TEMPLATES_STALE_AFTER or changed since
        except (GraphError, NotConnected) as e:
            log.info("templates not synced for the Home tab: %s", e)
    with rt.db.session() as s:
        rows = s.execute(select(Template.status, func.count()).where(Template.team_id == team_id)
                         .group_by(Template.status)).all()
        data.template_counts = {str(status): int(n) for status, n in rows}
        data.rejections = [(t.name, t.language, t.rejected_reason or "no reason given") for t in s.scalars(
            select(Template).where(Template.team_id == team_id, Template.status == "REJECTED")
            .order_by(Template.updated_at.desc(), Template.name).limit(defaults.HOME_REJECTIONS_SHOWN))]


def _routes(rt: Runtime, team_id: str, data: HomeData) -> None:
    with rt.db.session() as s:
        routed = {r.kind: r.channel_id for r in s.scalars(
            select(NotificationRoute).where(NotificationRoute.team_id == team_id))}
        ws = s.get(Workspace, team_id)
        fallback = ws.connect_channel if ws else None
    data.routes = [(kind, routed.get(kind) or fallback) for kind in workspaces.KINDS]



def _date(ts: float) -> str:
    return messages.HOME_UPDATED.format(at=int(ts), fallback=f"{datetime.fromtimestamp(ts):%Y-%m-%d %H:%M}")


def build(data: HomeData, admin: bool) -> dict[str, Any]:
    """The Home view: what a member reads, with the admin buttons for admins."""
    blocks: list[Block] = [header(messages.HOME_TITLE)]
    conn = data.connection
    if admin:
        blocks.append(actions(
            button(messages.HOME_BUTTON_RECONNECT if conn else messages.HOME_BUTTON_CONNECT, CONNECT_ACTION,
                   style=None if conn else "primary"),
            button(messages.HOME_BUTTON_WEBHOOKS, WEBHOOK_ACTION),
            button(messages.HOME_BUTTON_TEMPLATE, TEMPLATE_ACTION)))
    if conn is None:
        blocks.append(section(messages.HOME_NOT_CONNECTED_ADMIN if admin else messages.HOME_NOT_CONNECTED))
        return {"type": "home", "blocks": fit(blocks)}
    blocks += [header(messages.HOME_CONNECTION), section(_connection_text(conn, data.now))]
    blocks += _number_blocks(data)
    blocks += [header(messages.HOME_TEMPLATES), section(_templates_text(data))]
    blocks += [header(messages.HOME_COST.format(month=f"{data.now:%B %Y}")), section(_cost_text(data))]
    blocks += inbox.home_blocks(data.inbox) if data.inbox else []
    blocks += [header(messages.HOME_UNANSWERED), section(_unanswered_text(data))]
    blocks += [header(messages.HOME_ROUTES), section("\n".join(
        messages.HOME_ROUTE.format(kind=kind, channel=f"<#{channel}>" if channel else messages.HOME_ROUTE_NOWHERE)
        for kind, channel in data.routes))]
    blocks += [header(messages.HOME_WEBHOOKS), section("\n".join(
        messages.HOME_WEBHOOK.format(label=label, state=state) for label, state in data.webhooks))]
    if data.webhooks_lacking:
        blocks.append(context_block(*(messages.HOME_WEBHOOK_LACKING.format(
            label=label, fields=", ".join(f"`{f}`" for f in fields)) for label, fields in data.webhooks_lacking)))
    blocks.append(context_block(_date(data.now.timestamp())))
    return {"type": "home", "blocks": fit(blocks)}


def fit(blocks: list[Block]) -> list[Block]:
    """Every block within Slack's limits (long texts split, `limits.fit_block`), at most HOME_BLOCKS of them: what
    does not fit is cut, with a last line saying where the rest is."""
    fitted = [b for block in blocks for b in limits.fit_block(block)]
    if len(fitted) <= limits.HOME_BLOCKS:
        return fitted
    return [*fitted[:limits.HOME_BLOCKS - 1], context_block(messages.HOME_TRUNCATED)]


def _connection_text(conn: Connection, now: datetime) -> str:
    lines = [messages.HOME_CONNECTION_LINE.format(
        status=conn.status, reason=f" — {escape(conn.reason)}" if conn.reason else "",
        user=conn.connected_by or "?", meta_user=escape(conn.meta_user), date=f"{conn.created_at:%Y-%m-%d}")]
    left = ""
    if conn.expires_at:
        days = (conn.expires_at - now) / timedelta(days=1)
        left = f" ({int(days)} days left)" if days >= 0 else " (expired)"
    lines.append(messages.HOME_TOKEN_LINE.format(expiry=messages.expiry(conn.expires_at), left=left))
    lines.append(messages.HOME_PERMISSIONS_MISSING.format(scopes=", ".join(f"`{p}`" for p in conn.missing))
                 if conn.missing else messages.HOME_PERMISSIONS_OK)
    if conn.status != "active":
        lines.append(messages.CONNECTION_BROKEN.format(status=conn.status))
    return "\n".join(lines)


def _number_blocks(data: HomeData) -> list[Block]:
    blocks: list[Block] = [header(messages.HOME_NUMBERS)]
    if not data.numbers:
        return [*blocks, section(messages.HOME_NUMBERS_NONE)]
    shown = data.numbers[:defaults.HOME_NUMBERS_SHOWN]
    blocks += [section(messages.HOME_NUMBER.format(number=escape(n.display), name=escape(n.name), quality=n.quality,
                                                   tier=messages.messaging_limit(n.tier) if n.tier != "?" else "?",
                                                   status=n.status)) for n in shown]
    notes = []
    if len(data.numbers) > len(shown):
        notes.append(messages.HOME_NUMBERS_MORE.format(more=len(data.numbers) - len(shown)))
    if data.numbers_unread:
        notes.append(messages.HOME_NUMBERS_UNREAD)
    if notes:
        blocks.append(context_block(*notes))
    return blocks


def _templates_text(data: HomeData) -> str:
    if not data.template_counts:
        return messages.HOME_TEMPLATES_NONE
    order = {s: i for i, s in enumerate(catalog.STATUSES)}
    counts = sorted(data.template_counts.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))
    lines = [" · ".join(f"{status} *{n}*" for status, n in counts)]
    if data.rejections:
        lines.append(messages.HOME_REJECTED)
        lines += [messages.HOME_REJECTION.format(name=escape(name), language=escape(language),
                                                 reason=escape(limits.clip(reason, 300)))
                  for name, language, reason in data.rejections]
    return "\n".join(lines)


def _cost_text(data: HomeData) -> str:
    month = data.month
    if month is None or month.empty:
        return messages.HOME_COST_NONE
    categories = ", ".join(f"{c} {n}" for c, n in sorted(month.by_category(paid=True).items())) or "none"
    return messages.HOME_COST_LINE.format(
        paid=month.paid_count, categories=categories, cost=money(month.cost),
        unpriced=messages.CAMPAIGN_REVIEW_UNPRICED.format(n=month.unpriced) if month.unpriced else "",
        free=month.free_count)


def _unanswered_text(data: HomeData) -> str:
    if not data.unanswered:
        return messages.HOME_UNANSWERED_NONE
    lines = [messages.HOME_UNANSWERED_COUNT.format(count=data.unanswered)]
    for w in data.waiting:
        link = messages.HOME_THREAD_LINK.format(url=w.url, channel=w.channel) if w.url else \
            messages.HOME_THREAD_NO_LINK.format(channel=w.channel)
        lines.append(messages.HOME_UNANSWERED_LINE.format(
            link=link, since=int(w.since), fallback=f"{datetime.fromtimestamp(w.since):%Y-%m-%d %H:%M}"))
    return "\n".join(lines)
