"""A workspace's Meta connection through its life: connect (OAuth callback), status, refresh, disconnect,
the daily token check, and what happens when Meta says a token no longer works (error 190)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from integrations.meta import oauth
from integrations.meta.errors import GraphError, TokenInvalid
from integrations.slack.client import post_message
from metaops import defaults, messages
from metaops.exceptions import NotConnected
from metaops.runtime import Runtime
from store import workspaces
from store.models import MetaConnection, WhatsAppAccount

log = logging.getLogger(__name__)


def redirect_uri(rt: Runtime) -> str:
    return f"{rt.settings.PUBLIC_URL}/meta/oauth/callback"


def state_store(rt: Runtime) -> oauth.StateStore:
    return oauth.StateStore(rt.redis, rt.crypto, defaults.OAUTH_STATE_TTL)


def connect_url(rt: Runtime, team_id: str, user_id: str, channel_id: str) -> str:
    state = state_store(rt).issue(team_id, user_id, channel_id)
    s = rt.settings
    return oauth.dialog_url(s.META_DIALOG_URL, s.META_GRAPH_VERSION, s.META_APP_ID, redirect_uri(rt), state)


@dataclass
class Outcome:
    ok: bool
    title: str
    detail: str


def complete(rt: Runtime, args: dict[str, str]) -> Outcome:
    """The OAuth callback: nothing is stored unless every step worked; the user is told in Slack either way."""
    try:
        who = state_store(rt).consume(args.get("state", ""))
    except oauth.StateError as e:
        if e.who:
            _tell(rt, e.who, messages.CONNECT_STATE_TEXT[e.reason])
        return Outcome(False, messages.CONNECT_FAILED_TITLE, messages.CONNECT_STATE_PAGE[e.reason])
    if args.get("error") or not args.get("code"):
        _tell(rt, who, messages.CONNECT_DENIED)
        return Outcome(False, messages.CONNECT_FAILED_TITLE, messages.CONNECT_DENIED)
    try:
        token = oauth.exchange_code(rt.graph, args["code"], redirect_uri(rt))
        found = oauth.discover(rt.graph, token)
    except GraphError as e:
        log.warning("Meta connect failed for team %s: %s", who["team_id"], type(e).__name__)
        text = messages.CONNECT_GRAPH_FAILED.format(reason=e.user_text())
        _tell(rt, who, text)
        return Outcome(False, messages.CONNECT_FAILED_TITLE, text)
    _save(rt, who, token.value, found)
    summary = messages.connect_summary(found, who["user_id"])
    try:
        post_message(rt.slack.for_team(who["team_id"]), who["channel_id"], summary)
    except Exception as e:  # noqa: BLE001 - connected all the same; the page says so
        log.warning("could not post the connect summary: %s", type(e).__name__)
    return Outcome(True, messages.CONNECT_OK_TITLE, messages.CONNECT_OK_PAGE)


def _save(rt: Runtime, who: dict[str, str], token: str, found: oauth.Discovered) -> None:
    with rt.db.session() as s:
        ws = workspaces.ensure_workspace(s, who["team_id"])
        ws.connect_channel = who["channel_id"]
        conn = workspaces.connection_of(s, who["team_id"]) or MetaConnection(team_id=who["team_id"])
        s.add(conn)
        conn.meta_user_id = str(found.me.get("id"))
        conn.meta_user_name = found.me.get("name")
        conn.token_enc = rt.crypto.encrypt(token)
        conn.token_expires_at = found.expires_at
        conn.permissions = found.permissions
        conn.granular_scopes = found.granular_scopes
        conn.status, conn.status_reason, conn.expiry_alerted = "active", None, None
        conn.connected_by, conn.channel_id = who["user_id"], who["channel_id"]
        s.flush()
        keep = set()
        for w in found.wabas:
            # An asset another workspace connected stays there: its customers' messages must not move unseen.
            other = s.get(WhatsAppAccount, str(w["id"]))
            if other is not None and other.team_id != who["team_id"]:
                found.problems.append(f"WhatsApp Business Account {w.get('name') or w['id']}: "
                                      "another Slack workspace has connected it; it stays there")
                continue
            workspaces.add_whatsapp_account(s, conn, str(w["id"]), w.get("name"), w.get("phone_numbers") or [],
                                            w.get("business_id"))
            keep.add(str(w["id"]))
        for account in list(conn.whatsapp_accounts):
            if account.id not in keep:
                s.delete(account)
        taken = workspaces.save_pages(s, conn, found.pages, rt.crypto)
        for page_id in taken:
            found.problems.append(f"Page {page_id}: another Slack workspace has connected it; it stays there")
        found.pages = [p for p in found.pages if str(p["id"]) not in taken]


def _tell(rt: Runtime, who: dict[str, str], text: str) -> None:
    try:
        rt.slack.for_team(who["team_id"]).chat_postEphemeral(channel=who["channel_id"], user=who["user_id"],
                                                             text=text)
    except Exception as e:  # noqa: BLE001 - the page tells them too
        log.warning("could not tell the user in Slack: %s", type(e).__name__)


def token_of(rt: Runtime, team_id: str) -> str:
    """The connection's user token; NotConnected when there is none or it stopped working."""
    with rt.db.session() as s:
        conn = workspaces.connection_of(s, team_id)
        if conn is None:
            raise NotConnected(messages.NOT_CONNECTED)
        if conn.status != "active":
            raise NotConnected(messages.CONNECTION_BROKEN.format(status=conn.status))
        return rt.crypto.decrypt(conn.token_enc)


def token_failed(rt: Runtime, team_id: str, error: TokenInvalid) -> None:
    """Meta said 190 for this connection's token: mark it, and alert once."""
    status = "expired" if error.expired else "revoked"
    with rt.db.session() as s:
        conn = workspaces.connection_of(s, team_id)
        if conn is None or conn.status == status:
            return
        conn.status, conn.status_reason = status, error.user_text()
    alert(rt, team_id, messages.TOKEN_INVALID_ALERT.format(status=status, reason=error.user_text()))


def refresh(rt: Runtime, team_id: str) -> datetime | None:
    """A new long-lived token for the stored one; returns its expiry (None: never)."""
    token = token_of(rt, team_id)
    try:
        new = oauth.long_lived(rt.graph, token)
    except TokenInvalid as e:
        token_failed(rt, team_id, e)
        raise
    with rt.db.session() as s:
        conn = workspaces.connection_of(s, team_id)
        extended = new.expires_at is None or conn.token_expires_at is None or \
            new.expires_at - conn.token_expires_at > timedelta(days=1)
        conn.token_enc = rt.crypto.encrypt(new.value)
        conn.token_expires_at = new.expires_at
        if extended:
            conn.expiry_alerted = None  # a new lease on life: alert again when this one nears its end
    return new.expires_at


def disconnect(rt: Runtime, team_id: str) -> bool:
    with rt.db.session() as s:
        conn = workspaces.connection_of(s, team_id)
        if conn is None:
            return False
        s.delete(conn)
    return True


def check_tokens(rt: Runtime) -> int:
    """The daily check: debug_token each active connection; refresh when it nears expiry; alert at the
    thresholds, on a failed refresh, and when Meta says the token is no longer valid. Returns alerts sent."""
    with rt.db.session() as s:
        teams = list(s.scalars(select(MetaConnection.team_id).where(MetaConnection.status == "active")))
    return sum(_check_one(rt, team) for team in teams)


def _check_one(rt: Runtime, team_id: str) -> int:
    try:
        token = token_of(rt, team_id)
        info = oauth.debug_token(rt.graph, token)
    except NotConnected:
        return 0
    except GraphError as e:
        log.warning("token check for %s failed: %s", team_id, e.user_text())
        return 0
    if not info.get("is_valid", False):
        token_failed(rt, team_id, TokenInvalid(str((info.get("error") or {}).get("message") or "Token is invalid"),
                                               code=190, subcode=463 if info.get("expires_at") else None))
        return 1
    expires = int(info.get("expires_at") or 0)
    if not expires:
        return 0
    now = rt.clock()
    days_left = (_utc(expires) - now) / timedelta(days=1)
    if days_left > max(defaults.TOKEN_ALERT_DAYS):
        return 0
    try:
        new_expiry = refresh(rt, team_id)
        if new_expiry is None or (new_expiry - now) / timedelta(days=1) > max(defaults.TOKEN_ALERT_DAYS):
            return 0
        days_left = (new_expiry - now) / timedelta(days=1)
    except GraphError as e:
        alert(rt, team_id, messages.REFRESH_FAILED_ALERT.format(reason=e.user_text(), days=max(0, int(days_left))))
        return 1
    return _expiry_alert(rt, team_id, days_left)


def _expiry_alert(rt: Runtime, team_id: str, days_left: float) -> int:
    threshold = min((d for d in defaults.TOKEN_ALERT_DAYS if days_left <= d), default=None)
    if threshold is None:
        return 0
    with rt.db.session() as s:
        conn = workspaces.connection_of(s, team_id)
        if conn.expiry_alerted is not None and conn.expiry_alerted <= threshold:
            return 0
        conn.expiry_alerted = threshold
    alert(rt, team_id, messages.EXPIRY_ALERT.format(days=max(0, int(days_left))))
    return 1


def _utc(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, UTC).replace(tzinfo=None)


def alert(rt: Runtime, team_id: str, text: str) -> None:
    channel = workspaces.channel_for(rt.db.engine, team_id, "alerts")
    if not channel:
        log.warning("alert for %s has no channel: %s", team_id, text)
        return
    post_message(rt.slack.for_team(team_id), channel, text)
