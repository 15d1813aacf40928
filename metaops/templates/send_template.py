"""Sending an approved WhatsApp template to a customer from Slack (`/meta send`, the thread's "Send template") and
from plain inputs (a Workflow Builder step): the number's approved templates, the send job, and the sent template
posted in the customer's thread."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from integrations.meta import whatsapp
from integrations.meta.errors import GraphError
from integrations.slack.blocks import section
from integrations.slack.errors import NoChannel
from integrations.slack.mrkdwn import escape
from metaops import messages
from metaops.assets import connections
from metaops.conversation import naming
from metaops.conversation.naming import person_of
from metaops.conversation.router import Router
from metaops.conversation.thread import post_in_thread
from metaops.costs import notice
from metaops.exceptions import NotConnected, Refusal
from metaops.runtime import Runtime
from metaops.templates import catalog
from metaops.templates.header_media import MEDIA_FORMATS, upload_header
from metaops.templates.recipients import Target, number_named, parse_recipient, target_for_address, target_for_thread
from metaops.templates.values import check, components, needs_of, readable, value_names
from store import customers
from store.models import OutboundMessage, PhoneNumber, Template

log = logging.getLogger(__name__)
WINDOW_CODE_AUTH_BSUID = 131062  # Meta: authentication templates cannot be sent to a business-scoped user id


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


def check_allowed(t: Template, target: Target) -> None:
    """Refusal (nothing sent) when refusal_for refuses: the one check of `/meta send`, the thread's "Send template"
    and the Workflow Builder step."""
    reason = refusal_for(t, target)
    if reason:
        raise Refusal(reason)


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
    check_allowed(t, target)
    n = needs_of(t.components)
    values: dict[str, str] = fields.get("values") or {}
    errors = check(n, values)
    if errors:
        raise catalog.Refused(errors)
    token = connections.token_of(rt, team_id)
    media_id = filename = None
    if n.header_format in MEDIA_FORMATS:
        media_id, filename = upload_header(rt, team_id, token, target.phone_number_id, n.header_format,
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
    router = Router(rt.db.engine)
    try:  # where the customer's thread is, or opens (a campaign's recent recipient: the campaign's channel)
        channel = router.thread_channel(team_id, "messages", target.phone_number_id, customer.thread_key)
    except NoChannel:
        raise NotConnected(messages.SEND_NO_CHANNEL) from None
    ts = post_in_thread(rt, router, team_id, channel, target.phone_number_id, customer.thread_key, text, blocks,
                        opening=naming.customer_post(person_of(customer), text))
    return channel, ts, router.root(target.phone_number_id, customer.thread_key, channel) or ts


@dataclass(frozen=True)
class Sent:
    message_id: str  # Meta's
    billing: notice.Billing  # whether Meta bills it, as said before it went


def send_plain(rt: Runtime, team_id: str, number: str | None, to: str, name: str, language: str,
               variables: list[str], allow_paid: bool = True) -> Sent:
    """Send an approved template from plain inputs (a Workflow Builder step): the business number by id or display
    number, the customer by phone or BSUID, the template by name (and language), its values in the order of
    value_names; with `allow_paid` False, only when Meta will not bill it. The sent template is posted in the
    customer's thread as `/meta send` posts it, with whether it is billed. Raises Refusal (nothing sent),
    NotConnected, GraphError (Meta refused)."""
    phone_number_id = number_named(rt, team_id, number)
    phone, bsuid = parse_recipient(to)
    target = target_for_address(rt, team_id, phone, bsuid, number=phone_number_id)
    t = approved_named(rt, team_id, phone_number_id, name, language)
    check_allowed(t, target)  # opted-out MARKETING, AUTHENTICATION to a BSUID-only customer: as /meta send refuses
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
    bill = notice.billing(rt, t.category, target)
    if bill.paid and not allow_paid:
        raise Refusal(messages.STEP_PAID_REFUSED.format(note=bill.line), field="allow_paid")
    token = connections.token_of(rt, team_id)
    try:
        message_id = whatsapp.send_template(rt.graph, token, phone_number_id, target.recipient(), t.name,
                                            t.language, components(n, values))
    except GraphError as e:
        if e.code == WINDOW_CODE_AUTH_BSUID:
            raise Refusal(messages.SEND_AUTH_BSUID) from None
        raise
    filled = readable(t, n, values, "").split("\n", 1)[1]
    text = "\n".join((messages.STEP_POSTED.format(name=escape(t.name), language=t.language, category=t.category),
                      filled, bill.line))
    try:
        _post_sent(rt, team_id, target, text, message_id)
    except Exception:  # noqa: BLE001 - the template was sent: the step succeeds even when the thread was not written
        log.exception("template %s sent by a workflow as %s but not posted in its thread", t.name, message_id)
    return Sent(message_id, bill)
