"""WhatsApp message templates: sync every page from Meta, list, create, edit, delete, and status updates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from slack_sdk.errors import SlackApiError
from sqlalchemy import select

import integrations.slack.files
from integrations.meta import uploads, whatsapp
from integrations.meta.errors import GraphError, OutcomeUnknown
from integrations.meta.template_rules import (
    SAMPLE_LIMITS,
    Checked,
    Draft,
    check,
    field_for_meta_error,
    media_format,
    slack_file_id,
)
from metaops import defaults, messages
from metaops.assets import connections
from metaops.exceptions import NotConnected
from metaops.runtime import Runtime
from store.models import Template, WhatsAppAccount

STATUSES = ("APPROVED", "PENDING", "REJECTED", "PAUSED", "DISABLED", "IN_APPEAL", "PENDING_DELETION", "DELETED",
            "LIMIT_EXCEEDED", "ARCHIVED")
EDITABLE = ("APPROVED", "REJECTED", "PAUSED")


def wabas(rt: Runtime, team_id: str) -> list[str]:
    with rt.db.session() as s:
        ids = list(s.scalars(select(WhatsAppAccount.id).where(WhatsAppAccount.team_id == team_id)))
    if not ids:
        raise NotConnected("No WhatsApp Business Account is connected. A workspace admin can run `/meta connect`.")
    return ids


def sync(rt: Runtime, team_id: str, force: bool = False) -> int:
    """Read every template of every WABA of the team (all pages) when stale or `force`d. Returns how many."""
    token = connections.token_of(rt, team_id)
    total = 0
    for waba_id in wabas(rt, team_id):
        with rt.db.session() as s:
            account = s.get_one(WhatsAppAccount, waba_id)
            fresh = account.templates_synced_at and rt.now() - account.templates_synced_at < timedelta(
                seconds=defaults.TEMPLATES_STALE_AFTER)
        if fresh and not force:
            continue
        found = whatsapp.templates(rt.graph, token, waba_id)
        with rt.db.session() as s:
            known = {t.id: t for t in s.scalars(select(Template).where(Template.waba_id == waba_id))}
            for item in found:
                t = known.pop(str(item["id"]), None) or Template(id=str(item["id"]), waba_id=waba_id, team_id=team_id)
                _apply(t, item)
                s.add(t)
            for gone in known.values():
                s.delete(gone)
            s.get_one(WhatsAppAccount, waba_id).templates_synced_at = rt.now()
        total += len(found)
    return total


def _apply(t: Template, item: dict[str, Any]) -> None:
    t.name, t.language = item.get("name", t.name), item.get("language", t.language)
    t.category, t.status = item.get("category", t.category), item.get("status", t.status)
    t.components = item.get("components") or t.components or []
    quality = item.get("quality_score")
    t.quality = quality.get("score") if isinstance(quality, dict) else quality
    reason = item.get("rejected_reason")
    t.rejected_reason = None if reason in (None, "NONE") else reason


@dataclass
class Listing:
    rows: list[Template]
    page: int
    pages: int
    total: int


def listing(rt: Runtime, team_id: str, status: str | None, category: str | None, page: int) -> Listing:
    with rt.db.session() as s:
        q = select(Template).where(Template.team_id == team_id).order_by(Template.name, Template.language)
        if status:
            q = q.where(Template.status == status)
        if category:
            q = q.where(Template.category == category)
        rows = list(s.scalars(q))
    per = defaults.TEMPLATES_PER_PAGE
    pages = max(1, -(-len(rows) // per))
    page = min(max(page, 1), pages)
    return Listing(rows[(page - 1) * per: page * per], page, pages, len(rows))


def find(rt: Runtime, team_id: str, name: str) -> list[Template]:
    with rt.db.session() as s:
        return list(s.scalars(select(Template).where(Template.team_id == team_id, Template.name == name)))


class Refused(Exception):
    """Meta refused a template; `errors` maps modal fields to Meta's words."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def create(rt: Runtime, team_id: str, draft: Draft) -> Template:
    _checked(draft)
    waba_id = wabas(rt, team_id)[0]
    token = connections.token_of(rt, team_id)
    checked = _checked(_with_handle(rt, team_id, token, draft))
    try:
        answer = whatsapp.create_template(rt.graph, token, waba_id, draft.name, draft.language, draft.category,
                                          checked.components)
    except OutcomeUnknown:  # Meta may have made it: not a refusal
        raise
    except GraphError as e:
        raise _refused(e) from None
    with rt.db.session() as s:
        t = Template(id=str(answer["id"]), waba_id=waba_id, team_id=team_id, name=draft.name,
                     language=draft.language, category=answer.get("category") or draft.category,
                     status=answer.get("status") or "PENDING", components=checked.components)
        s.merge(t)
    return t


def owned(rt: Runtime, team_id: str, template_id: str) -> bool:
    """Whether `template_id` is one of the team's stored templates."""
    with rt.db.session() as s:
        t = s.get(Template, str(template_id))
        return t is not None and t.team_id == team_id


def edit(rt: Runtime, team_id: str, template_id: str, draft: Draft) -> None:
    if not owned(rt, team_id, template_id):
        raise NotConnected(messages.TEMPLATE_ID_NOT_FOUND)
    _checked(draft, editing=True)
    token = connections.token_of(rt, team_id)
    checked = _checked(_with_handle(rt, team_id, token, draft), editing=True)
    try:
        whatsapp.edit_template(rt.graph, token, template_id, draft.category, checked.components)
    except OutcomeUnknown:  # Meta may have made it: not a refusal
        raise
    except GraphError as e:
        raise _refused(e) from None
    with rt.db.session() as s:
        t = s.get(Template, template_id)
        if t is not None:
            t.category, t.components, t.status = draft.category, checked.components, "PENDING"


def delete(rt: Runtime, team_id: str, name: str) -> int:
    """Delete every language of `name` at Meta; returns how many were stored here."""
    token = connections.token_of(rt, team_id)
    found = find(rt, team_id, name)
    waba_ids = {t.waba_id for t in found} or {wabas(rt, team_id)[0]}
    for waba_id in waba_ids:
        whatsapp.delete_template(rt.graph, token, waba_id, name)
    with rt.db.session() as s:
        for t in s.scalars(select(Template).where(Template.team_id == team_id, Template.name == name)):
            s.delete(t)
    return len(found)


def _with_handle(rt: Runtime, team_id: str, token: str, draft: Draft) -> Draft:
    """A media header's sample read from Slack with the bot token and handed to Meta's resumable upload: the draft
    with Meta's handle (and Slack's word on the file's type and size). A draft without a new sample is unchanged
    (an edited template keeps its stored handle). Refused, under Header sample file, when Slack or Meta will not."""
    if not draft.header_sample.strip():
        return draft
    client = rt.slack.for_team(team_id)
    unreadable = Refused({"header_sample": messages.SEND_MEDIA_UNREADABLE})
    try:
        info = integrations.slack.files.info(client, slack_file_id(draft.header_sample) or "")
    except SlackApiError:
        raise unreadable from None
    draft.header_sample_type = str(info.get("mimetype") or "")
    draft.header_sample_size = int(info.get("size") or 0)
    _checked(draft)  # the file as Slack describes it now: its type and size
    kind = media_format(draft) or "IMAGE"
    url = str(info.get("url_private_download") or info.get("url_private") or "")
    try:
        data = integrations.slack.files.download(client, url, SAMPLE_LIMITS[kind], session=rt.graph.session,
                                    timeout=defaults.GRAPH_TIMEOUT)
    except (integrations.slack.files.FileUnavailable, OSError):
        raise unreadable from None
    if data is None:
        raise Refused({"header_sample": f"An {kind.lower()} header sample may be at most "
                                        f"{SAMPLE_LIMITS[kind] // 2**20} MB."})
    try:
        draft.header_handle = uploads.upload_file(rt.graph, token, str(info.get("name") or "sample"), data,
                                                  draft.header_sample_type.lower())
    except GraphError as e:  # nothing was made at Meta yet: the form may be sent again
        raise Refused({"header_sample": messages.META_REFUSED.format(reason=e.user_text())}) from None
    except uploads.UploadRefused:
        raise Refused({"header_sample": messages.TEMPLATE_SAMPLE_NOT_TAKEN}) from None
    return draft


def _checked(draft: Draft, editing: bool = False) -> Checked:
    checked = check(draft, editing=editing)
    if checked.errors:
        raise Refused(checked.errors)
    return checked


def _refused(e: GraphError) -> Refused:
    words = e.user_msg or e.message
    if e.user_title and e.user_msg:
        words = f"{e.user_title}: {e.user_msg}"
    return Refused({field_for_meta_error(f"{e.user_title or ''} {words}"): f"Meta refused: {words}"})


def apply_update(rt: Runtime, waba_id: str, value: dict[str, Any], field: str) -> Template | None:
    """A template webhook (status, category or quality; a content change alters nothing stored) applied to the
    stored template, when known."""
    template_id = str(value.get("message_template_id") or "")
    with rt.db.session() as s:
        t = s.get(Template, template_id) if template_id else None
        if t is None:
            return None
        if field == "message_template_status_update" and value.get("event"):
            t.status = value["event"]
            said = (value.get("rejection_info") or {}).get("reason") if isinstance(value.get("rejection_info"), dict) \
                else None  # Meta's own sentence when it gives one, else its code
            t.rejected_reason = said or (value.get("reason") if value.get("reason") not in (None, "NONE") else None)
        elif field == "template_category_update" and value.get("new_category"):
            t.category = value["new_category"]
        elif field == "message_template_quality_update" and value.get("new_quality_score"):
            t.quality = value["new_quality_score"]
        s.flush()
        s.expunge(t)
        return t


def mark_stale(rt: Runtime, team_id: str) -> None:
    """After a change: the next listing reads every template from Meta again."""
    with rt.db.session() as s:
        for account in s.scalars(select(WhatsAppAccount).where(WhatsAppAccount.team_id == team_id)):
            account.templates_synced_at = None
