"""Sending an approved WhatsApp template to a customer from Slack (`/meta send`, the thread's "Send template").

What a template needs is read from its stored components: a header variable or a media header, the body's
variables (Meta's examples are the hints), the suffix of each URL button whose link ends in a variable, and the
coupon code of a MARKETING template's copy-code button (its example code is the hint).
The values are checked the way Meta checks send parameters, turned into the send's components, and the sent
template is posted in the customer's thread as readable text with the values filled in.

Media headers come from a file shared in Slack: the modal takes its link or id, the job reads it with the bot
token (files.info, then the private download URL) and uploads it to `/{phone-number-id}/media`, and the
template is sent with the media id. Slack's file links need the bot token, so Meta could not fetch them by link.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select

from integrations.meta import whatsapp
from integrations.meta.errors import GraphError
from integrations.meta.media import MediaRefused, download
from integrations.meta.payload import Person
from integrations.meta.template_rules import MAX_BODY, MAX_COPY_CODE, MAX_HEADER
from integrations.slack.blocks import section
from integrations.slack.mrkdwn import escape
from metaops import defaults, messages
from metaops.assets import connections
from metaops.conversation import naming
from metaops.conversation.naming import person_of
from metaops.conversation.router import Router
from metaops.conversation.thread import post_in_thread
from metaops.exceptions import NotConnected
from metaops.runtime import Runtime
from metaops.templates import catalog
from store import customers, threads, workspaces
from store.models import Customer, OutboundMessage, PhoneNumber, Template, WhatsAppAccount

log = logging.getLogger(__name__)
VARIABLE = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
PHONE = re.compile(r"^[1-9]\d{6,14}$")
BSUID = re.compile(r"^[A-Z]{2}\.\d{6,}$")
SLACK_FILE = re.compile(r"(?:^|/)(F[A-Z0-9]{6,})(?:/|$)")
MEDIA_FORMATS = ("IMAGE", "VIDEO", "DOCUMENT")
# Meta's media limits for template headers: content types and largest size, bytes
MEDIA_TYPES = {
    "IMAGE": (("image/jpeg", "image/png"), 5 * 2**20),
    "VIDEO": (("video/mp4", "video/3gpp"), 16 * 2**20),
    "DOCUMENT": (("application/pdf",), 100 * 2**20),
}
MAX_PARAMETER = 1024  # Meta's longest body parameter, characters
MAX_URL_SUFFIX = 2000  # the longest link Meta takes for a button, characters
WINDOW_CODE_AUTH_BSUID = 131062  # Meta: authentication templates cannot be sent to a business-scoped user id
GROUP_PREFIX = "group:"
COUPON = "coupon_code"  # the value key (and the modal's block id) of a copy-code button's coupon code


class Refusal(Exception):
    """Why this template cannot go to this customer (shown against `field`)."""

    def __init__(self, text: str, field: str = "template") -> None:
        super().__init__(text)
        self.text = text
        self.field = field


@dataclass(frozen=True)
class Button:
    index: int
    text: str
    url: str  # with its variable
    example: str


@dataclass(frozen=True)
class CopyCode:
    """A MARKETING template's copy-code (coupon) button: Meta allows one, and takes its code when it is sent."""

    index: int
    text: str  # Meta writes the button's own text
    example: str


@dataclass
class Needs:
    """What one template asks for when it is sent."""

    header_format: str | None = None  # TEXT, IMAGE, VIDEO, DOCUMENT, LOCATION, or None
    header_text: str = ""
    header_variable: str | None = None  # the header's one variable ("1" or a name), when it has one
    header_example: str = ""
    body: str = ""
    body_variables: list[str] = field(default_factory=list)  # in order of first appearance
    body_examples: list[str] = field(default_factory=list)
    footer: str = ""
    url_buttons: list[Button] = field(default_factory=list)  # links that end in a variable
    copy_code: CopyCode | None = None  # the copy-code button, whose coupon code is given at send
    other_buttons: list[dict[str, Any]] = field(default_factory=list)
    named: bool = False  # named parameters ({{first_name}}) rather than positional ({{1}})
    otp_indexes: list[int] = field(default_factory=list)  # authentication buttons that take the code


@dataclass(frozen=True)
class Target:
    """Whom a template goes to: the business number and the customer (phone when known, else BSUID), and the
    thread it belongs in, when there is one already."""

    phone_number_id: str
    phone: str | None
    bsuid: str | None
    marketing_opt_out: bool = False
    channel_id: str | None = None
    thread_ts: str | None = None
    contact: str | None = None  # the thread key
    name: str | None = None  # the customer's profile name, when known

    def recipient(self) -> whatsapp.Recipient:
        return whatsapp.Recipient(phone=self.phone, bsuid=None if self.phone else self.bsuid)

    def label(self) -> str:
        """The customer as the team knows them (profile name, +phone, else the BSUID)."""
        return naming.who(Person(bsuid=self.bsuid, phone=self.phone, name=self.name))


def needs_of(components: list[dict[str, Any]], parameter_format: str | None = None) -> Needs:
    n = Needs(named=str(parameter_format or "").upper() == "NAMED")
    for c in components or []:
        kind = str(c.get("type", "")).upper()
        example = c.get("example") or {}
        if kind == "HEADER":
            n.header_format = str(c.get("format") or "TEXT").upper()
            n.header_text = str(c.get("text") or "")
            found = _variables(n.header_text)
            if found:
                n.header_variable = found[0]
                named = example.get("header_text_named_params") or []
                n.header_example = str((named[0] or {}).get("example", "")) if named else \
                    str((example.get("header_text") or [""])[0])
        elif kind == "BODY":
            n.body = str(c.get("text") or "")
            n.body_variables = _variables(n.body)
            named = {str(p.get("param_name")): str(p.get("example", "")) for p in
                     example.get("body_text_named_params") or []}
            rows = example.get("body_text") or [[]]
            positional = [str(x) for x in (rows[0] if rows else [])]
            n.body_examples = [named[v] if v in named else positional[i] if i < len(positional) else ""
                               for i, v in enumerate(n.body_variables)]
        elif kind == "FOOTER":
            n.footer = str(c.get("text") or "")
        elif kind == "BUTTONS":
            for i, b in enumerate(c.get("buttons") or []):
                url = str(b.get("url") or "")
                if b.get("type") == "URL" and VARIABLE.search(url):
                    examples = b.get("example") or []
                    n.url_buttons.append(Button(i, str(b.get("text") or ""), url, str(examples[0]) if examples
                                                else ""))
                elif b.get("type") == "OTP":
                    n.otp_indexes.append(i)
                elif str(b.get("type") or "").upper() == "COPY_CODE" and n.copy_code is None:
                    examples = b.get("example")
                    example = examples[0] if isinstance(examples, list) and examples else \
                        examples if isinstance(examples, str) else ""
                    n.copy_code = CopyCode(i, str(b.get("text") or ""), str(example or ""))
                else:
                    n.other_buttons.append(b)
    return n


def _variables(text: str) -> list[str]:
    seen: list[str] = []
    for v in VARIABLE.findall(text):
        if v not in seen:
            seen.append(v)
    return seen


# --- the recipient ---------------------------------------------------------------------------------------------

def parse_recipient(raw: str) -> tuple[str | None, str | None]:
    """(phone digits, BSUID) from what a person typed: `+15551234567` (spaces, dashes and brackets allowed) or a
    business-scoped user id such as `US.13491208655302741918`. Raises Refusal when it is neither."""
    text = (raw or "").strip()
    if BSUID.match(text):
        return None, text
    digits = re.sub(r"[\s\-().]", "", text).removeprefix("+")
    if PHONE.match(digits):
        return digits, None
    raise Refusal(messages.SEND_BAD_RECIPIENT.format(value=escape(text[:60])), field="to")


def number_of(rt: Runtime, team_id: str) -> str:
    """The workspace's WhatsApp business number that `/meta send` sends from: its first connected number."""
    with rt.db.session() as s:
        found = s.scalars(select(PhoneNumber.id).join(WhatsAppAccount).where(WhatsAppAccount.team_id == team_id)
                          .order_by(PhoneNumber.id)).first()
    if not found:
        raise NotConnected(messages.SEND_NO_NUMBER)
    return str(found)


def target_for_address(rt: Runtime, team_id: str, phone: str | None, bsuid: str | None,
                       number: str | None = None) -> Target:
    """A customer named by phone or BSUID on the workspace's number (`number`, else its first), with what we know
    of them (not stored yet)."""
    number = number or number_of(rt, team_id)
    with rt.db.session() as s:
        row = None
        if bsuid:
            row = s.scalars(select(Customer).where(Customer.business_id == number, Customer.bsuid == bsuid)).first()
        if row is None and phone:
            row = s.scalars(select(Customer).where(Customer.business_id == number, Customer.phone == phone)).first()
        if row is not None:
            phone, bsuid = phone or row.phone, bsuid or row.bsuid
        opted_out = bool(row and row.marketing_opt_out)
        name = row.profile_name if row is not None else None
    return Target(phone_number_id=number, phone=phone, bsuid=bsuid, marketing_opt_out=opted_out, name=name)


def target_for_thread(rt: Runtime, team_id: str, channel: str, thread_ts: str) -> Target:
    """The customer of a WhatsApp thread of this workspace; Refusal when it is not one."""
    thread = threads.find_by_root(rt.db.engine, channel, thread_ts)
    if thread is None or thread.team_id != team_id or thread.platform != "whatsapp":
        raise Refusal(messages.SEND_NOT_A_THREAD)
    if thread.contact.startswith(GROUP_PREFIX):
        raise Refusal(messages.SEND_GROUP)
    customer = customers.from_thread_key(rt.db.engine, thread.contact)
    if customer is None:  # a thread keyed by the phone itself (before customers)
        return Target(thread.business_id, thread.contact, None, False, channel, thread_ts, thread.contact)
    return Target(thread.business_id, customer.phone, customer.bsuid, customer.marketing_opt_out, channel,
                  thread_ts, thread.contact, customer.profile_name)


# --- the templates ---------------------------------------------------------------------------------------------

def approved(rt: Runtime, team_id: str, phone_number_id: str) -> list[Template]:
    """The APPROVED templates of the number's account, read from Meta first when the stored ones are stale."""
    catalog.sync(rt, team_id)
    with rt.db.session() as s:
        number = s.get(PhoneNumber, phone_number_id)
        if number is None:
            raise NotConnected(messages.SEND_NO_NUMBER)
        rows = list(s.scalars(select(Template).where(
            Template.team_id == team_id, Template.waba_id == number.waba_id, Template.status == "APPROVED")
            .order_by(Template.name, Template.language)))
        s.expunge_all()
    return rows


def template_of(rt: Runtime, team_id: str, phone_number_id: str, template_id: str) -> Template:
    """One of the number's APPROVED templates by id (never another workspace's); Refusal otherwise."""
    with rt.db.session() as s:
        t = s.get(Template, str(template_id))
        number = s.get(PhoneNumber, phone_number_id)
        if t is None or t.team_id != team_id or number is None or t.waba_id != number.waba_id:
            raise Refusal(messages.SEND_TEMPLATE_GONE)
        if t.status != "APPROVED":
            raise Refusal(messages.SEND_NOT_APPROVED.format(name=t.name, status=t.status))
        s.expunge(t)
    return t


def refusal_for(t: Template, target: Target) -> str | None:
    """Why this template may not go to this customer at all, or None."""
    if t.category == "MARKETING" and target.marketing_opt_out:
        return messages.SEND_OPTED_OUT
    if t.category == "AUTHENTICATION" and not target.phone:
        return messages.SEND_AUTH_BSUID
    return None


# --- the values ------------------------------------------------------------------------------------------------

def check(n: Needs, values: dict[str, str]) -> dict[str, str]:
    """Meta's rules for send parameters; errors keyed by the modal's block ids. `values` holds `header_text`,
    `header_media`, `body_<variable>`, `button_<index>` and `coupon_code`."""
    errors: dict[str, str] = {}
    if n.header_variable:
        v = values.get("header_text", "")
        if not v.strip():
            errors["header_text"] = messages.SEND_VALUE_MISSING
        elif "\n" in v:
            errors["header_text"] = messages.SEND_NO_NEWLINES
        elif len(fill(n.header_text, {n.header_variable: v})) > MAX_HEADER:
            errors["header_text"] = messages.SEND_HEADER_LONG.format(limit=MAX_HEADER)
    if n.header_format in MEDIA_FORMATS and not slack_file_id(values.get("header_media", "")):
        errors["header_media"] = messages.SEND_MEDIA_MISSING
    body_values = {}
    for var in n.body_variables:
        key = f"body_{var}"
        v = values.get(key, "")
        body_values[var] = v
        if not v.strip():
            errors[key] = messages.SEND_VALUE_MISSING
        elif "\n" in v or "\t" in v or "     " in v:
            errors[key] = messages.SEND_PARAMETER_SPACES
        elif len(v) > MAX_PARAMETER:
            errors[key] = messages.SEND_PARAMETER_LONG.format(limit=MAX_PARAMETER)
    if not any(k.startswith("body_") for k in errors) and len(fill(n.body, body_values)) > MAX_BODY:
        errors[f"body_{n.body_variables[-1]}" if n.body_variables else "template"] = \
            messages.SEND_BODY_LONG.format(limit=MAX_BODY)
    for b in n.url_buttons:
        key = f"button_{b.index}"
        v = values.get(key, "")
        if not v.strip():
            errors[key] = messages.SEND_VALUE_MISSING
        elif re.search(r"\s", v):
            errors[key] = messages.SEND_URL_SPACES
        elif len(fill(b.url, {k: v for k in _variables(b.url)})) > MAX_URL_SUFFIX:
            errors[key] = messages.SEND_URL_LONG.format(limit=MAX_URL_SUFFIX)
    if n.copy_code is not None:
        v = values.get(COUPON, "")
        if not v.strip():
            errors[COUPON] = messages.SEND_VALUE_MISSING
        elif re.search(r"\s", v):
            errors[COUPON] = messages.SEND_COUPON_SPACES
        elif len(v) > MAX_COPY_CODE:
            errors[COUPON] = messages.SEND_COUPON_LONG.format(limit=MAX_COPY_CODE, given=len(v))
    return errors


def fill(text: str, values: dict[str, str]) -> str:
    return VARIABLE.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def components(n: Needs, values: dict[str, str], media_id: str | None = None,
               filename: str | None = None) -> list[dict[str, Any]]:
    """The send's components, as Meta takes them."""
    out: list[dict[str, Any]] = []
    if n.header_variable:
        out.append({"type": "header", "parameters": [_text(n, n.header_variable, values["header_text"])]})
    elif n.header_format in MEDIA_FORMATS and media_id:
        kind = n.header_format.lower()
        media: dict[str, str] = {"id": media_id}
        if kind == "document" and filename:
            media["filename"] = filename
        out.append({"type": "header", "parameters": [{"type": kind, kind: media}]})
    if n.body_variables:
        out.append({"type": "body", "parameters": [_text(n, v, values[f"body_{v}"]) for v in n.body_variables]})
    for b in n.url_buttons:
        out.append({"type": "button", "sub_type": "url", "index": str(b.index),
                    "parameters": [{"type": "text", "text": values[f"button_{b.index}"]}]})
    if n.copy_code is not None:
        out.append({"type": "button", "sub_type": "copy_code", "index": str(n.copy_code.index),
                    "parameters": [{"type": "coupon_code", "coupon_code": values[COUPON]}]})
    for i in n.otp_indexes:  # an authentication template's copy-code button carries the code too
        code = values.get(f"body_{n.body_variables[0]}", "") if n.body_variables else ""
        out.append({"type": "button", "sub_type": "url", "index": str(i),
                    "parameters": [{"type": "text", "text": code}]})
    return out


def _text(n: Needs, var: str, value: str) -> dict[str, str]:
    p = {"type": "text", "text": value}
    if n.named:
        p["parameter_name"] = var
    return p


def readable(t: Template, n: Needs, values: dict[str, str], user_id: str, filename: str | None = None) -> str:
    """The sent template as the team reads it in the thread: every variable filled in."""
    body_values = {v: values.get(f"body_{v}", "") for v in n.body_variables}
    lines = [messages.SEND_POSTED.format(user=user_id, name=escape(t.name), language=t.language,
                                         category=t.category)]
    if n.header_variable:
        lines.append(f"*{escape(fill(n.header_text, {n.header_variable: values.get('header_text', '')}))}*")
    elif n.header_text:
        lines.append(f"*{escape(n.header_text)}*")
    elif n.header_format in MEDIA_FORMATS:
        lines.append(messages.SEND_POSTED_MEDIA.format(kind=n.header_format.lower(), name=escape(filename or "")))
    lines.append(escape(fill(n.body, body_values)))
    if n.footer:
        lines.append(f"_{escape(n.footer)}_")
    for b in n.url_buttons:
        url = fill(b.url, {k: values.get(f"button_{b.index}", "") for k in _variables(b.url)})
        lines.append(f"[{escape(b.text)}] {url}")
    if n.copy_code is not None:
        lines.append(f"[{escape(n.copy_code.text or messages.SEND_COUPON_BUTTON)}] {escape(values.get(COUPON, ''))}")
    for other in n.other_buttons:
        target = other.get("phone_number") or other.get("url") or ""
        lines.append(f"[{escape(str(other.get('text', '')))}]" + (f" {target}" if target else ""))
    return "\n".join(lines)


def slack_file_id(raw: str) -> str | None:
    """A Slack file's id from its id (F…) or any of its links (permalink, private URL)."""
    text = (raw or "").strip()
    found = SLACK_FILE.search(text)
    return found.group(1) if found else None


# --- the job ---------------------------------------------------------------------------------------------------

def send(rt: Runtime, team_id: str, user_id: str, fields: dict[str, Any]) -> str:
    """Send the submitted template (the submit_view job); returns what to tell the user. Raises Refusal when the
    template or customer no longer allows it (nothing sent), GraphError when Meta refuses."""
    address = fields.get("thread") or {}
    if address:
        target = target_for_thread(rt, team_id, str(address.get("channel")), str(address.get("thread_ts")))
    else:
        target = target_for_address(rt, team_id, fields.get("phone"), fields.get("bsuid"))
    t = template_of(rt, team_id, target.phone_number_id, str(fields["template_id"]))
    reason = refusal_for(t, target)
    if reason:
        raise Refusal(reason)
    n = needs_of(t.components)
    values: dict[str, str] = fields.get("values") or {}
    errors = check(n, values)
    if errors:
        raise catalog.Refused(errors)
    token = connections.token_of(rt, team_id)
    media_id = filename = None
    if n.header_format in MEDIA_FORMATS:
        media_id, filename = _upload_header(rt, team_id, token, target.phone_number_id, n.header_format,
                                            values.get("header_media", ""))
    try:
        message_id = whatsapp.send_template(rt.graph, token, target.phone_number_id, target.recipient(), t.name,
                                            t.language, components(n, values, media_id, filename))
    except GraphError as e:
        if e.code == WINDOW_CODE_AUTH_BSUID:
            raise Refusal(messages.SEND_AUTH_BSUID) from None
        raise
    text = readable(t, n, values, user_id, filename)
    try:
        channel = _post_sent(rt, team_id, target, text, message_id)
    except Exception:  # noqa: BLE001 - the template was sent: say so even when the thread could not be written
        log.exception("template %s sent as %s but not posted in its thread", t.name, message_id)
        return messages.SEND_DONE_UNPOSTED.format(name=t.name)
    return messages.SEND_DONE.format(name=t.name, channel=channel)


def _post_sent(rt: Runtime, team_id: str, target: Target, text: str, message_id: str) -> str:
    """Post the template sent as Meta's `message_id` in the customer's thread (`_post`) and record it, so that
    its statuses and a later failure find the thread; returns the channel."""
    channel, ts, root = _post(rt, team_id, target, text)
    with rt.db.session() as s:
        s.merge(OutboundMessage(id=message_id, team_id=team_id, platform="whatsapp", channel_id=channel,
                                thread_ts=root, slack_ts=ts))
    return channel


def _post(rt: Runtime, team_id: str, target: Target, text: str) -> tuple[str, str, str]:
    """Post the sent template in the customer's thread (made now when the customer has none in `messages`, its
    root naming them first); returns (channel, the post's ts, the thread's root ts)."""

    blocks = [section(text)]
    client = rt.slack.for_team(team_id)
    if target.channel_id and target.thread_ts:
        from integrations.slack.client import post_message

        return target.channel_id, post_message(client, target.channel_id, text, blocks,
                                               thread_ts=target.thread_ts), target.thread_ts
    customer = customers.resolve(rt.db.engine, target.phone_number_id,
                                 customers.Seen(bsuid=target.bsuid, phone=target.phone))
    channel = workspaces.channel_for(rt.db.engine, team_id, "messages")
    if not channel:
        raise NotConnected(messages.SEND_NO_CHANNEL)
    router = Router(rt.db.engine)
    ts = post_in_thread(rt, router, team_id, channel, target.phone_number_id, customer.thread_key, text, blocks,
                        opening=naming.customer_post(person_of(customer), text))
    return channel, ts, router.root(target.phone_number_id, customer.thread_key, channel) or ts


def check_media(client: WebClient, header_format: str, raw: str) -> str | None:
    """What is wrong with the Slack file for a media header (Meta's types and sizes), or None."""
    file_id = slack_file_id(raw)
    if not file_id:
        return messages.SEND_MEDIA_MISSING
    try:
        info = client.files_info(file=file_id)["file"]
    except SlackApiError as e:
        log.info("files.info %s: %s", file_id, e.response.get("error"))
        return messages.SEND_MEDIA_UNREADABLE
    return _media_problem(header_format, info)


def _media_problem(header_format: str, info: dict[str, Any]) -> str | None:
    types, limit = MEDIA_TYPES[header_format]
    mime = str(info.get("mimetype") or "")
    if mime not in types:
        return messages.SEND_MEDIA_TYPE.format(kind=header_format.lower(), types=", ".join(types), mime=mime or "?")
    if int(info.get("size") or 0) > limit:
        return messages.SEND_MEDIA_SIZE.format(kind=header_format.lower(), limit=limit // 2**20)
    return None


def _upload_header(rt: Runtime, team_id: str, token: str, phone_number_id: str, header_format: str,
                   raw: str) -> tuple[str, str]:
    """The Slack file read with the bot token and uploaded to Meta: (media id, file name)."""
    client = rt.slack.for_team(team_id)
    file_id = slack_file_id(raw) or ""
    try:
        info = client.files_info(file=file_id)["file"]
    except SlackApiError:
        raise catalog.Refused({"header_media": messages.SEND_MEDIA_UNREADABLE}) from None
    problem = _media_problem(header_format, info)
    if problem:
        raise catalog.Refused({"header_media": problem})
    url = str(info.get("url_private_download") or info.get("url_private") or "")
    if not _slack_host(url, rt.settings.SLACK_API_URL):  # the bot token goes to Slack only
        raise catalog.Refused({"header_media": messages.SEND_MEDIA_UNREADABLE})
    limit = MEDIA_TYPES[header_format][1]
    try:
        data = download(rt.graph.session, url, str(client.token or ""), limit, timeout=defaults.GRAPH_TIMEOUT)
    except MediaRefused:
        raise catalog.Refused({"header_media": messages.SEND_MEDIA_UNREADABLE}) from None
    if data is None:
        raise catalog.Refused({"header_media": messages.SEND_MEDIA_SIZE.format(
            kind=header_format.lower(), limit=limit // 2**20)})
    name = str(info.get("name") or f"{file_id}")
    return whatsapp.upload_media(rt.graph, token, phone_number_id, name, data, str(info["mimetype"])), name



def _slack_host(url: str, api_url: str) -> bool:
    """Slack's file hosts over https, or the configured Slack API's own host (as in tests)."""
    parts, base = urlsplit(url), urlsplit(api_url)
    if (parts.scheme, parts.hostname) == (base.scheme, base.hostname):
        return True
    host = parts.hostname or ""
    return parts.scheme == "https" and (host == "slack.com" or host.endswith(".slack.com"))


# --- plain inputs (a Workflow Builder step, metaops.surfaces.workflow_steps) ---------------------------------------

def number_named(rt: Runtime, team_id: str, raw: str | None) -> str:
    """The workspace's WhatsApp number named by its phone number id or its display number (spaces, dashes and +
    allowed); named by nothing, its only number. NotConnected without numbers, Refusal otherwise."""
    with rt.db.session() as s:
        rows = [(p.id, p.display_number or "") for p in s.scalars(
            select(PhoneNumber).join(WhatsAppAccount).where(WhatsAppAccount.team_id == team_id)
            .order_by(PhoneNumber.id))]
    if not rows:
        raise NotConnected(messages.SEND_NO_NUMBER)
    listed = ", ".join(f"`{i}` ({escape(d)})" if d else f"`{i}`" for i, d in rows)
    text = (raw or "").strip()
    if not text:
        if len(rows) > 1:
            raise Refusal(messages.STEP_NUMBER_CHOOSE.format(numbers=listed), field="number")
        return rows[0][0]
    digits = re.sub(r"[\s\-().]", "", text).removeprefix("+")
    for pid, _ in rows:
        if text == pid:
            return pid
    for pid, display in rows:
        if digits and digits == re.sub(r"\D", "", display):
            return pid
    raise Refusal(messages.STEP_NUMBER_UNKNOWN.format(value=escape(text[:40]), numbers=listed), field="number")


def value_names(n: Needs) -> list[tuple[str, str]]:
    """(value key, how a person names it) of every value the template takes, in the order a step lists them: the
    header's variable, the body's variables, the link ending of each URL button, then the copy-code button's
    coupon code."""
    out = [("header_text", f"header {{{{{n.header_variable}}}}}")] if n.header_variable else []
    out += [(f"body_{v}", f"body {{{{{v}}}}}") for v in n.body_variables]
    out += [(f"button_{b.index}", f"button “{b.text}” link ending") for b in n.url_buttons]
    if n.copy_code is not None:
        out.append((COUPON, "copy-code button coupon code"))
    return out


def approved_named(rt: Runtime, team_id: str, phone_number_id: str, name: str, language: str = "") -> Template:
    """The number's APPROVED template of that name (and language: needed only when the name has several)."""
    name, language = (name or "").strip(), (language or "").strip()
    if not name:
        raise Refusal(messages.STEP_TEMPLATE_MISSING)
    rows = approved(rt, team_id, phone_number_id)
    same = [t for t in rows if t.name == name and (not language or t.language == language)]
    if len(same) == 1:
        return same[0]
    if same:
        raise Refusal(messages.STEP_TEMPLATE_LANGUAGE.format(name=escape(name), languages=", ".join(
            t.language for t in same)), field="language")
    names = sorted({t.name for t in rows})
    shown = ", ".join(names[:10]) + (", …" if len(names) > 10 else "")
    raise Refusal(messages.STEP_TEMPLATE_UNKNOWN.format(
        name=escape(name[:100]), language=f" ({escape(language[:20])})" if language else "", names=shown or "none"))


def send_plain(rt: Runtime, team_id: str, number: str | None, to: str, name: str, language: str,
               variables: list[str]) -> str:
    """Send an approved template from plain inputs (a Workflow Builder step): the business number by id or display
    number, the customer by phone or BSUID, the template by name (and language), its values in the order of
    value_names. The sent template is posted in the customer's thread as `/meta send` posts it. Returns Meta's
    message id. Raises Refusal (nothing sent), NotConnected, GraphError (Meta refused)."""
    phone_number_id = number_named(rt, team_id, number)
    phone, bsuid = parse_recipient(to)
    target = target_for_address(rt, team_id, phone, bsuid, number=phone_number_id)
    t = approved_named(rt, team_id, phone_number_id, name, language)
    reason = refusal_for(t, target)
    if reason:
        raise Refusal(reason)
    n = needs_of(t.components)
    if n.header_format in MEDIA_FORMATS:
        raise Refusal(messages.STEP_TEMPLATE_MEDIA.format(name=escape(t.name), kind=n.header_format.lower()))
    wanted = value_names(n)
    if len(variables) != len(wanted):
        raise Refusal(messages.STEP_VARIABLES_COUNT.format(
            name=escape(t.name), expected=len(wanted), names=", ".join(w for _, w in wanted) or "none",
            given=len(variables)), field="variables")
    values = {key: value for (key, _), value in zip(wanted, variables, strict=True)}
    errors = check(n, values)
    if errors:
        labels = dict(wanted)
        raise Refusal(" ".join(messages.STEP_VARIABLE_BAD.format(what=labels.get(k, k), problem=p)
                               for k, p in errors.items()), field="variables")
    token = connections.token_of(rt, team_id)
    try:
        message_id = whatsapp.send_template(rt.graph, token, phone_number_id, target.recipient(), t.name,
                                            t.language, components(n, values))
    except GraphError as e:
        if e.code == WINDOW_CODE_AUTH_BSUID:
            raise Refusal(messages.SEND_AUTH_BSUID) from None
        raise
    filled = readable(t, n, values, "").split("\n", 1)[1]
    text = messages.STEP_POSTED.format(name=escape(t.name), language=t.language, category=t.category) + "\n" + filled
    try:
        _post_sent(rt, team_id, target, text, message_id)
    except Exception:  # noqa: BLE001 - the template was sent: the step succeeds even when the thread was not written
        log.exception("template %s sent by a workflow as %s but not posted in its thread", t.name, message_id)
    return message_id
