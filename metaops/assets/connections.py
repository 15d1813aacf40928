"""A workspace's Meta connection through its life: connect (OAuth callback), status, refresh, disconnect,
the daily token check, and what happens when Meta says a token no longer works (error 190)."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import delete, select

from integrations.meta import access, oauth, whatsapp
from integrations.meta.errors import GraphError, PermissionMissing, TokenInvalid
from integrations.slack.client import post_message
from metaops import defaults, messages
from metaops.exceptions import NotConnected
from metaops.queue import enqueue
from metaops.runtime import Runtime
from store import workspaces
from store.models import (
    InstagramAccount,
    MetaConnection,
    Template,
    WhatsAppAccount,
    Workspace,
)

log = logging.getLogger(__name__)


def redirect_uri(rt: Runtime) -> str:
    return f"{rt.settings.PUBLIC_URL}/meta/oauth/callback"


def state_store(rt: Runtime) -> oauth.StateStore:
    return oauth.StateStore(rt.redis, rt.crypto, defaults.OAUTH_STATE_TTL, defaults.OAUTH_CODE_TRIES)


@dataclass
class ConnectLink:
    """The Slack button's URL (our start page) and the one-time code that page asks for: the code is shown
    only to the member who asked (an ephemeral answer, or their own modal), never put in the URL."""

    url: str
    code: str


def connect_url(rt: Runtime, team_id: str, user_id: str, channel_id: str) -> ConnectLink:
    state, code = state_store(rt).issue(team_id, user_id, channel_id)
    return ConnectLink(f"{rt.settings.PUBLIC_URL}/meta/oauth/start?{urlencode({'state': state})}", code)


@dataclass
class Outcome:
    ok: bool
    title: str
    detail: str


@dataclass
class Prompt:
    """What the start page shows before it goes on: who asked, in which workspace, and the code form."""

    workspace: str
    member: str
    error: str = ""


@dataclass
class Started:
    """Where the start endpoint sends the browser (Meta's dialog) and the cookie it sets on the way."""

    dialog_url: str
    cookie_name: str
    cookie_value: str
    max_age: int  # seconds: what is left of the state's life


def prompt(rt: Runtime, state: str) -> Prompt | Outcome:
    """`GET /meta/oauth/start`: the page naming the workspace and the member who asked, with the code form."""
    try:
        who, _ = state_store(rt).check(state)
    except oauth.StateError as e:
        return _refused(rt, state, e)
    return Prompt(_workspace_name(rt, who["team_id"]), _member_name(rt, who["team_id"], who["user_id"]))


def start(rt: Runtime, state: str, code: str) -> Started | Prompt | Outcome:
    """`POST /meta/oauth/start`: the browser that shows the state's one-time code is the one that may finish
    it. A wrong code: the page again, saying so (the member is told in Slack, in case the link was forwarded);
    too many: the state burns."""
    try:
        secret, left = state_store(rt).bind(state, code)
    except oauth.StateError as e:
        if e.reason != "code" or not e.who:
            return _refused(rt, state, e)
        _tell(rt, e.who, messages.CONNECT_CODE_WRONG_TEXT.format(left=e.tries_left))
        return Prompt(_workspace_name(rt, e.who["team_id"]), _member_name(rt, e.who["team_id"], e.who["user_id"]),
                      messages.CONNECT_CODE_WRONG_PAGE.format(left=e.tries_left))
    s = rt.settings
    return Started(oauth.dialog_url(s.META_DIALOG_URL, s.META_GRAPH_VERSION, s.META_APP_ID, redirect_uri(rt), state),
                   oauth.browser_cookie(state), secret, left)


def _refused(rt: Runtime, state: str, e: oauth.StateError) -> Outcome:
    """A refusal page; the member who asked is told in Slack what it means for them, once per state and
    reason (whoever holds a forwarded link cannot make it ping them again and again)."""
    if e.who and e.reason in messages.CONNECT_STATE_TEXT and state_store(rt).first_notice(state, e.reason):
        _tell(rt, e.who, messages.CONNECT_STATE_TEXT[e.reason])
    return Outcome(False, messages.CONNECT_FAILED_TITLE, messages.CONNECT_STATE_PAGE[e.reason])


def refused(rt: Runtime, state: str, e: oauth.StateError) -> Outcome:
    """The refusal page for a state that may not be used (the member who asked told once): Embedded Signup's too."""
    return _refused(rt, state, e)


def tell(rt: Runtime, who: dict[str, str], text: str) -> None:
    """An ephemeral word to the member who asked, in the channel they asked in."""
    _tell(rt, who, text)


def _workspace_name(rt: Runtime, team_id: str) -> str:
    with rt.db.session() as s:
        ws = s.get(Workspace, team_id)
        if ws is not None and ws.name:
            return ws.name
    try:
        found = rt.slack.installations.find_installation(enterprise_id=None, team_id=team_id) \
            if rt.slack.installations is not None else None
        if found is not None and found.team_name:
            return str(found.team_name)
    except Exception as e:  # noqa: BLE001 - the id names it too
        log.warning("could not read the workspace's name: %s", type(e).__name__)
    return team_id


def _member_name(rt: Runtime, team_id: str, user_id: str) -> str:
    try:
        user = rt.slack.for_team(team_id).users_info(user=user_id)["user"]
        profile = user.get("profile") or {}
        name = profile.get("display_name") or profile.get("real_name") or user.get("real_name") or user.get("name")
        if name:
            return f"{name} ({user_id})"
    except Exception as e:  # noqa: BLE001 - the id names them too
        log.warning("could not read the member's name: %s", type(e).__name__)
    return user_id


def complete(rt: Runtime, args: dict[str, str], cookies: Mapping[str, str] | None = None) -> Outcome:
    """The OAuth callback: nothing is stored unless every step worked; the user is told in Slack either way.
    The state must come with the cookie the start endpoint set in this browser (the one that showed the code);
    any other browser connects nothing, and the member who asked is told."""
    state = args.get("state", "")
    try:
        who = state_store(rt).consume(state, (cookies or {}).get(oauth.browser_cookie(state)))
    except oauth.StateError as e:
        return _refused(rt, state, e)
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
    summary = store(rt, who, token.value, found, "user")
    try:
        post_message(rt.slack.for_team(who["team_id"]), who["channel_id"], summary)
    except Exception as e:  # noqa: BLE001 - connected all the same; the page says so
        log.warning("could not post the connect summary: %s", type(e).__name__)
    return Outcome(True, messages.CONNECT_OK_TITLE, messages.CONNECT_OK_PAGE)


def store(rt: Runtime, who: dict[str, str], token: str, found: oauth.Discovered, kind: str) -> str:
    """The workspace's connection is now `token` (of `kind`: user, business, system_user) and what it found; assets
    another workspace holds are settled (_settle) and their old holders told. Returns the summary to post."""
    take, moved = _settle(rt, who["team_id"], found)
    _save(rt, who, token, found, take, kind)
    enqueue.refresh_home(rt.queue, who["team_id"], who["user_id"])
    for c in moved:
        try:
            alert(rt, c.holder.team_id, messages.ASSET_MOVED_ALERT.format(asset=c.label))
        except Exception as e:  # noqa: BLE001 - moved all the same; the old holder's status shows it gone
            log.warning("could not tell %s that an asset moved: %s", c.holder.team_id, type(e).__name__)
    return "\n".join([messages.connect_summary(found, who["user_id"]),
                      *(messages.ASSET_MOVED_HERE.format(asset=c.label) for c in moved)])


@dataclass
class _Claim:
    """An asset the connecting workspace found that another workspace holds."""

    kind: str  # whatsapp, page, instagram
    id: str
    label: str
    holder: workspaces.Holder


def _claims(rt: Runtime, team_id: str, found: oauth.Discovered) -> list[_Claim]:
    """The found assets another workspace holds (an Instagram account held with its Page follows the Page)."""
    out = []
    with rt.db.session() as s:
        def check(kind: str, asset_id: str, label: str) -> None:
            holder = workspaces.holder_of(s, kind, asset_id)
            if holder is not None and holder.team_id != team_id:
                out.append(_Claim(kind, asset_id, label, holder))

        for w in found.wabas:
            check("whatsapp", str(w["id"]), messages.asset_label("whatsapp", w.get("name"), str(w["id"])))
        for p in found.pages:
            check("page", str(p["id"]), messages.asset_label("page", p.get("name"), str(p["id"])))
            ig = p.get("instagram") or {}
            held = s.get(InstagramAccount, str(ig["id"])) if ig.get("id") else None
            if held is not None and held.page_id != str(p["id"]):
                check("instagram", held.id, messages.asset_label("instagram", ig.get("username"), held.id))
    return out


def _settle(rt: Runtime, team_id: str, found: oauth.Discovered) -> tuple[set[str], list[_Claim]]:
    """For each found asset another workspace holds: does the holder's connection still reach it at Meta? Not:
    it moves here (returned: the ids to take, and the claims, to tell the old holders). Still: it stays there,
    and the summary says whom to ask. Meta could not say: it stays there for now."""
    take, moved = set(), []
    for c in _claims(rt, team_id, found):
        h = c.holder
        workspace = h.workspace_name or h.team_id
        try:
            reaches = access.reaches(rt.graph, rt.crypto.decrypt(h.token_enc), c.id, page=c.kind == "page")
        except TokenInvalid:
            reaches = False  # the holder's token no longer works at all: it reaches nothing
        except GraphError as e:
            found.problems.append(messages.ASSET_UNSURE.format(asset=c.label, workspace=workspace,
                                                               reason=e.user_text()))
            continue
        if reaches:
            person = messages.ASSET_HOLDER_PERSON.format(name=h.meta_user_name or "the person",
                                                         user=h.connected_by or "?")
            found.problems.append(messages.ASSET_KEPT.format(asset=c.label, workspace=workspace, person=person))
        else:
            take.add(c.id)
            moved.append(c)
    return take, moved


def _save(rt: Runtime, who: dict[str, str], token: str, found: oauth.Discovered, take: set[str],
          kind: str = "user") -> None:
    with rt.db.session() as s:
        ws = workspaces.ensure_workspace(s, who["team_id"])
        ws.connect_channel = who["channel_id"]
        conn = workspaces.connection_of(s, who["team_id"]) or MetaConnection(team_id=who["team_id"])
        s.add(conn)
        conn.meta_user_id = str(found.me.get("id"))
        conn.meta_user_name = found.me.get("name")
        conn.token_enc = rt.crypto.encrypt(token)
        conn.token_expires_at = found.expires_at
        conn.token_kind = kind
        conn.permissions = found.permissions
        conn.granular_scopes = found.granular_scopes
        conn.status, conn.status_reason, conn.expiry_alerted = "active", None, None
        conn.connected_by, conn.channel_id = who["user_id"], who["channel_id"]
        s.flush()
        keep = set()
        wabas = []
        for w in found.wabas:
            # An asset another workspace holds stays there unless _settle found it no longer reaches it: its
            # customers' messages must not move unseen (the summary says why, from _settle).
            other = s.get(WhatsAppAccount, str(w["id"]))
            if other is not None and other.team_id != who["team_id"] and other.id not in take:
                continue
            if other is not None and other.team_id != who["team_id"]:
                # moved here: its templates are the other workspace's rows until read again with this token
                s.execute(delete(Template).where(Template.waba_id == other.id))
                other.templates_synced_at = None
            workspaces.add_whatsapp_account(s, conn, str(w["id"]), w.get("name"), w.get("phone_numbers") or [],
                                            w.get("business_id"))
            keep.add(str(w["id"]))
            wabas.append(w)
        found.wabas = wabas
        for account in list(conn.whatsapp_accounts):
            if account.id not in keep:
                s.delete(account)
        taken = set(workspaces.save_pages(s, conn, found.pages, rt.crypto, take))
        found.pages = [p for p in found.pages if str(p["id"]) not in taken]
        for p in found.pages:
            if p.get("instagram") and str(p["instagram"].get("id")) in taken:
                p["instagram"] = None


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


def kind_of(rt: Runtime, team_id: str) -> str | None:
    """The connection's token kind (user, business, system_user); None when not connected."""
    with rt.db.session() as s:
        conn = workspaces.connection_of(s, team_id)
        return conn.token_kind if conn is not None else None


def refresh(rt: Runtime, team_id: str) -> datetime | None:
    """A new long-lived token for the stored one; returns its expiry (None: never). A business or system user's
    token does not expire and is not exchanged: None, without asking Meta."""
    token = token_of(rt, team_id)
    if kind_of(rt, team_id) not in (None, "user"):
        return None
    try:
        new = oauth.long_lived(rt.graph, token)
    except TokenInvalid as e:
        token_failed(rt, team_id, e)
        raise
    with rt.db.session() as s:
        conn = workspaces.connection_of(s, team_id)
        if conn is None:  # disconnected since token_of
            raise NotConnected(messages.NOT_CONNECTED)
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
    return sum(_check_one(rt, team) + check_assets(rt, team) for team in teams)


def check_assets(rt: Runtime, team_id: str) -> int:
    """Every asset the workspace holds, asked of Meta with its connection's token: the ones it no longer reaches
    are let go (their webhooks stop reaching this workspace: routing follows store.workspaces.owner_of), and the
    alerts channel is told about the ones that routed messages here. Only while the token works: a broken token
    is the token check's to report, and an asset Meta could not answer for is asked again the next day.
    Returns the alerts sent."""
    try:
        token = token_of(rt, team_id)
    except NotConnected:
        return 0
    with rt.db.session() as s:
        held = workspaces.held_by(s, team_id)
    gone = []
    for asset in held:
        try:
            if not access.reaches(rt.graph, token, asset.id, page=asset.kind == "page"):
                gone.append(asset)
        except TokenInvalid as e:
            token_failed(rt, team_id, e)
            return 1
        except GraphError as e:
            log.warning("asset check of %s for %s: Meta did not say (%s)", asset.id, team_id, e.user_text())
    alerts = 0
    for asset in gone:
        with rt.db.session() as s:
            released = workspaces.release(s, team_id, asset.kind, asset.id)
        log.info("%s %s let go by %s: its connection no longer reaches it", asset.kind, asset.id, team_id)
        if released and asset.routed:
            alert(rt, team_id, messages.ASSET_RELEASED_ALERT.format(
                asset=messages.asset_label(asset.kind, asset.name, asset.id)))
            alerts += 1
    return alerts


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
    if not expires or kind_of(rt, team_id) not in (None, "user"):
        return 0  # a token that does not expire (a business or system user's) is only checked for validity
    now = rt.now()
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
        if conn is None:  # disconnected since the token check read it
            raise NotConnected(messages.NOT_CONNECTED)
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


PERMISSION = re.compile(r"\b((?:pages|instagram|whatsapp|business|read|ads|public)_[a-z_]+)\b")


def failure_text(rt: Runtime, team_id: str, error: Exception) -> str | None:
    """What a person reads when a request of `team_id` failed with Meta's `error`: a token Meta no longer takes
    (marked on the connection, alerted once), a missing permission (named when Meta names it), any other refusal.
    None for anything else: a failure of ours, for the caller to log."""
    if isinstance(error, TokenInvalid):
        token_failed(rt, team_id, error)
        return messages.CONNECTION_BROKEN.format(status="expired" if error.expired else "revoked")
    if isinstance(error, PermissionMissing):
        scope = PERMISSION.search(f"{error.message} {error.user_msg or ''}")
        return messages.PERMISSION_MISSING.format(scope=f" (`{scope.group(1)}`)" if scope else "",
                                                  reason=error.user_text())
    if isinstance(error, GraphError):
        return messages.META_REFUSED.format(reason=error.user_text())
    return None


@dataclass
class BusinessNumber:
    """A phone number of a connected WhatsApp Business Account, with its business profile as Meta has it."""

    id: str
    display_number: str | None
    verified_name: str | None
    quality_rating: str | None
    profile: dict[str, Any]


@dataclass
class BusinessAccount:
    id: str
    name: str | None
    numbers: list[BusinessNumber]


def whatsapp_accounts(rt: Runtime, team_id: str) -> list[BusinessAccount]:
    """`/meta whatsapp`: the team's WhatsApp Business Accounts, each phone number with its business profile read
    from Meta. NotConnected when the team has no working connection."""
    token = token_of(rt, team_id)
    with rt.db.session() as s:
        accounts = s.scalars(select(WhatsAppAccount).where(WhatsAppAccount.team_id == team_id)).all()
        rows = [(a.id, a.name, [(p.id, p.display_number, p.verified_name, p.quality_rating)
                                for p in a.phone_numbers]) for a in accounts]
    return [BusinessAccount(waba_id, name, [
        BusinessNumber(phone_id, number, verified, quality, whatsapp.business_profile(rt.graph, token, phone_id))
        for phone_id, number, verified, quality in phones]) for waba_id, name, phones in rows]


def connect_channel(rt: Runtime, team_id: str) -> str | None:
    """The channel where `/meta connect` was run (where notifications go unless routed elsewhere)."""
    with rt.db.session() as s:
        ws = s.get(Workspace, team_id)
        return ws.connect_channel if ws else None
