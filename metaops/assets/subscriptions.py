"""The webhook configuration: verify token, chosen fields per object, and subscribing the app, the
WhatsApp Business Accounts and the Pages at Meta, each step's outcome kept for the user."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from slack_sdk import WebClient
from sqlalchemy import select

from integrations.meta.errors import GraphError
from integrations.meta.subscriptions import subscribe_app, subscribe_page, subscribe_waba, unsubscribe_app
from metaops.assets import connections, webhook_fields
from metaops.exceptions import NotConnected
from metaops.permissions import may_change
from metaops.runtime import Runtime
from store.models import AppSecret, Page, WebhookSubscription, WhatsAppAccount

OBJECTS = {  # object -> its label and the fields offered (webhook_fields says what each brings)
    "whatsapp_business_account": ("WhatsApp", tuple(webhook_fields.WHATSAPP)),
    "page": ("Facebook Page", tuple(webhook_fields.PAGE)),
    "instagram": ("Instagram", tuple(webhook_fields.INSTAGRAM)),
}
DESCRIPTIONS = {"whatsapp_business_account": webhook_fields.WHATSAPP, "page": webhook_fields.PAGE,
                "instagram": webhook_fields.INSTAGRAM}
VERIFY_TOKEN = "webhook_verify_token"


def verify_token(rt: Runtime, create: bool = False) -> str | None:
    """META_VERIFY_TOKEN, else the one generated and stored (made now when `create`)."""
    if rt.settings.META_VERIFY_TOKEN:
        return rt.settings.META_VERIFY_TOKEN
    with rt.db.session() as s:
        row = s.get(AppSecret, VERIFY_TOKEN)
        if row is None:
            if not create:
                return None
            row = AppSecret(name=VERIFY_TOKEN, value_enc=rt.crypto.encrypt(secrets.token_urlsafe(24)))
            s.add(row)
        return rt.crypto.decrypt(row.value_enc)


def is_operator(rt: Runtime, team_id: str) -> bool:
    """Whether `team_id`'s admins run the app's own settings (its subscriptions at Meta, the verify token):
    in single-workspace mode that workspace; in multi-workspace mode the workspace OPERATOR_TEAM_ID names
    (unset: no workspace)."""
    if rt.settings.SLACK_BOT_TOKEN:
        return True
    operator = rt.settings.OPERATOR_TEAM_ID
    return bool(operator and team_id) and hmac.compare_digest(operator.encode(), team_id.encode())


def operator_named(rt: Runtime) -> bool:
    """Whether some workspace may change the app's own settings from Slack."""
    return bool(rt.settings.SLACK_BOT_TOKEN or rt.settings.OPERATOR_TEAM_ID)


def verification_matches(rt: Runtime, given: str) -> bool:
    expected = verify_token(rt)
    return bool(expected and hmac.compare_digest(given.encode(), expected.encode()))


def mark_verified(rt: Runtime) -> None:
    """Meta's verification request arrived: pending subscriptions are active."""
    with rt.db.session() as s:
        for sub in s.scalars(select(WebhookSubscription).where(WebhookSubscription.state == "pending")):
            sub.state, sub.detail = "active", None


def chosen(rt: Runtime) -> dict[str, WebhookSubscription]:
    with rt.db.session() as s:
        return {sub.object: sub for sub in s.scalars(select(WebhookSubscription))}


def lacking(subs: dict[str, WebhookSubscription]) -> dict[str, list[str]]:
    """Per object subscribed before: the fields offered since the December 2026 release that its saved subscription
    does not have (`/meta webhook` and the Home tab name them; `/meta webhook configure` ticks them)."""
    found = {obj: [f for f in webhook_fields.NEW.get(obj, ()) if f not in (sub.fields or [])]
             for obj, sub in subs.items() if sub.state != "off" and obj in OBJECTS}
    return {obj: fields for obj, fields in found.items() if fields}


def described(obj: str, fields: list[str]) -> str:
    """`field` — what it brings, one per line."""
    return "\n".join(f"• `{f}` — {DESCRIPTIONS[obj].get(f, '')}" for f in fields)


@dataclass
class Step:
    what: str
    ok: bool
    detail: str = ""


def configure(rt: Runtime, team_id: str, chosen: dict[str, list[str]]) -> list[Step]:
    """Subscribe the app per object (only when `team_id` is the operator's: that subscription serves every
    workspace), then the team's own WABAs and connected Pages. Every step is tried and said."""
    if not is_operator(rt, team_id):
        return _configure_assets(rt, team_id, chosen)
    steps = _configure_app(rt, chosen)
    try:
        return steps + _configure_assets(rt, team_id, chosen)
    except NotConnected:  # the operator's workspace need not be connected to Meta itself
        return steps


def _configure_app(rt: Runtime, chosen: dict[str, list[str]]) -> list[Step]:
    token = verify_token(rt, create=True) or ""
    callback = f"{rt.settings.PUBLIC_URL}/meta/webhook"
    steps: list[Step] = []
    for obj, fields in chosen.items():
        label = OBJECTS[obj][0]
        try:
            if fields:
                subscribe_app(rt.graph, obj, fields, callback, token)
            else:
                unsubscribe_app(rt.graph, obj)
            steps.append(Step(f"App subscription for {label}: {', '.join(fields) or 'none'}", True))
            state, detail = ("pending" if fields else "off"), None
        except GraphError as e:
            steps.append(Step(f"App subscription for {label}", False, e.user_text()))
            state, detail = "failed", e.user_text()
        with rt.db.session() as s:
            sub = s.get(WebhookSubscription, obj) or WebhookSubscription(object=obj)
            sub.fields, sub.state, sub.detail = list(fields), state, detail
            s.add(sub)
    return steps


def _configure_assets(rt: Runtime, team_id: str, chosen: dict[str, list[str]]) -> list[Step]:
    """`subscribed_apps` on the team's own WhatsApp Business Accounts and connected Pages."""
    steps: list[Step] = []
    user_token = connections.token_of(rt, team_id)
    with rt.db.session() as s:
        waba_ids = list(s.scalars(select(WhatsAppAccount.id).where(WhatsAppAccount.team_id == team_id)))
        pages = [(p.id, p.name, p.token_enc) for p in s.scalars(
            select(Page).where(Page.team_id == team_id, Page.connected.is_(True)))]
    if chosen.get("whatsapp_business_account"):
        for waba_id in waba_ids:
            steps.append(_step(f"WhatsApp Business Account {waba_id}",
                               lambda w=waba_id: subscribe_waba(rt.graph, user_token, w)))
    page_fields = chosen.get("page") or []
    if page_fields:
        for page_id, name, token_enc in pages:
            steps.append(_step(f"Page {name}", lambda p=page_id, t=token_enc: subscribe_page(
                rt.graph, rt.crypto.decrypt(t), p, page_fields)))
    return steps


def _step(what: str, action: Callable[..., object]) -> Step:  # `...`: lambdas binding loop values as defaults
    try:
        action()
        return Step(what, True)
    except GraphError as e:
        return Step(what, False, e.user_text())


def may_change_app(rt: Runtime, client: WebClient, team_id: str, user_id: str) -> bool:
    """The app's own settings at Meta (its webhook subscriptions, the verify token) serve every workspace: only
    the operator's workspace admins (single-workspace mode: that workspace; else OPERATOR_TEAM_ID) see and
    change them."""
    return is_operator(rt, team_id) and may_change(rt, client, team_id, user_id)
