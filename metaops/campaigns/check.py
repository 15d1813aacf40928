"""The campaign form's check, in a job (a file may take longer to read than Slack's 3 seconds): the template, the
file (the submitter's or shared in the form's channel), its rows, who is left out and what it will cost. The
modal then shows the review (form.review) or the form again with what is wrong under its field; nothing is sent."""

from __future__ import annotations

import dataclasses
import logging
from datetime import UTC, datetime
from typing import Any

import requests
from slack_sdk.errors import SlackApiError

from integrations.slack import files
from metaops import defaults, messages
from metaops.assets import connections
from metaops.campaigns import form, hold, limit, records, reply_channels
from metaops.campaigns.preview import preview
from metaops.campaigns.recipient_list import check_sheet
from metaops.campaigns.sheet import Malformed, read
from metaops.exceptions import NotConnected, Refusal
from metaops.queue import enqueue
from metaops.runtime import Runtime
from metaops.surfaces.submissions import form_with_errors
from metaops.templates.header_media import file_refusal, slack_file_id
from metaops.templates.send_template import template_of
from metaops.templates.values import needs_of

log = logging.getLogger(__name__)
JOB = "metaops.jobs.check_campaign"
CLAIM_KEY = "metaops:campaign-view:{team}:{view}"


@dataclasses.dataclass
class Form:
    team_id: str
    user_id: str
    channel_id: str
    view_id: str
    view: dict[str, Any]  # the submitted form, shown again with errors
    name: str
    number: str
    template_id: str
    file: str
    send_at: int | None  # unix time, None: now
    reply_channel: str = ""  # where replies open threads (reply_channels.py); empty: channel_id
    overflow: int = 0  # overflow channels to create when it starts


def queue(rt: Runtime, f: Form) -> bool:
    """One check per submitted view (a double click checks once); False when this view was already queued."""
    key = CLAIM_KEY.format(team=f.team_id, view=f.view_id)
    if not rt.redis.set(key, "queued", nx=True, ex=defaults.CAMPAIGN_CHECK_CLAIM_TTL):
        return False
    try:
        enqueue.submit(rt.queue, JOB, 0, args=(dataclasses.asdict(f),))
    except Exception:
        rt.redis.delete(key)
        raise
    return True


def run(raw: dict[str, Any], rt: Runtime) -> str:
    """The job: the review, or the form again with its errors (the claim given back so it can be sent again)."""
    f = Form(**raw)
    client = rt.slack.for_team(f.team_id)
    try:
        view = _review(rt, client, f)
    except Refusal as e:
        rt.redis.delete(CLAIM_KEY.format(team=f.team_id, view=f.view_id))
        view = form_with_errors(f.view, {e.field or "template": e.text})
    except NotConnected as e:
        rt.redis.delete(CLAIM_KEY.format(team=f.team_id, view=f.view_id))
        view = form_with_errors(f.view, {"template": str(e)})
    try:
        client.views_update(view_id=f.view_id, view=view)
    except SlackApiError as e:  # closed meanwhile: the draft waits, nothing is sent without the review
        log.info("campaign view %s: %s", f.view_id, e.response.get("error"))
    return "checked"


def _review(rt: Runtime, client: Any, f: Form) -> dict[str, Any]:
    t = template_of(rt, f.team_id, f.number, f.template_id)
    needs = needs_of(t.components)
    data, name, mimetype = _file(client, f)
    try:
        checked = check_sheet(read(data, name, mimetype), needs)
    except Malformed as e:
        raise Refusal(messages.CAMPAIGN_FILE_REFUSED.format(why=str(e)), field="file") from None
    daily = limit.daily_limit(rt, connections.token_of(rt, f.team_id), f.number)
    if f.reply_channel:
        reply_channels.check(client, f.reply_channel)
    p = preview(rt, f.number, t.category, checked, daily)
    when = datetime.fromtimestamp(f.send_at, UTC).replace(tzinfo=None) if f.send_at else None
    p.summary.update(hold.forecast(rt, f.number, len(p.to_send), daily, when))
    campaign_id = records.save_draft(rt, f.team_id, f.user_id, f.channel_id, f.name, f.number, t, when, p,
                                     f.reply_channel, f.overflow)
    meta = {"team_id": f.team_id, "channel_id": f.channel_id, "campaign_id": campaign_id, "name": f.name,
            "reply_channel": f.reply_channel, "overflow": f.overflow}
    return form.review(meta, p, f"{t.name} ({t.language}, {t.category})", records.needs_approval(p.summary))


def _file(client: Any, f: Form) -> tuple[bytes, str, str]:
    """The file's bytes, name and type, when the submitter may use it (header_media.file_refusal)."""
    file_id = slack_file_id(f.file)
    if not file_id:
        raise Refusal(messages.SEND_MEDIA_MISSING, field="file")
    try:
        info = files.info(client, file_id)
    except SlackApiError as e:
        log.info("files.info %s: %s", file_id, e.response.get("error"))
        raise Refusal(messages.SEND_MEDIA_UNREADABLE, field="file") from None
    refused = file_refusal(info, f.user_id, f.channel_id)
    if refused:
        raise Refusal(refused, field="file")
    too_big = Refusal(messages.CAMPAIGN_FILE_TOO_BIG.format(limit=defaults.CAMPAIGN_FILE_MAX_BYTES // 2**20),
                      field="file")
    if int(info.get("size") or 0) > defaults.CAMPAIGN_FILE_MAX_BYTES:
        raise too_big
    url = str(info.get("url_private_download") or info.get("url_private") or "")
    try:
        data = files.download(client, url, defaults.CAMPAIGN_FILE_MAX_BYTES, timeout=defaults.SLACK_FILE_TIMEOUT)
    except (files.FileUnavailable, requests.RequestException) as e:
        log.info("file %s not read: %s", file_id, e)
        raise Refusal(messages.SEND_MEDIA_UNREADABLE, field="file") from None
    if data is None:
        raise too_big
    return data, str(info.get("name") or ""), str(info.get("mimetype") or "")
