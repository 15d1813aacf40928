"""The campaign modal's views: the form (`/meta campaign`) and, once the file is checked, the review that says what
will be sent before anything is."""

from __future__ import annotations

import json
from typing import Any

from integrations.slack.blocks import (
    context_block,
    conversations_select,
    datetimepicker,
    input_block,
    modal,
    number_input,
    option,
    plain_text_input,
    section,
    static_select,
)
from integrations.slack.mrkdwn import escape
from metaops import defaults, messages
from metaops.campaigns.preview import Preview
from metaops.campaigns.reply_channels import OVERFLOW_FIELD, REPLY_FIELD, channel_name
from metaops.costs.estimate import money
from metaops.delivery.when import slack_date

FORM_ID, REVIEW_ID = "campaign_modal", "campaign_review"
MAX_OPTIONS = 100  # Slack's most options in a static select


def form(meta: dict[str, Any], numbers: list[tuple[str, str]], templates: list[Any]) -> dict[str, Any]:
    """The form: a name, the business number, an APPROVED template, the recipients file, and when."""
    if not templates:
        return modal(messages.CAMPAIGN_TITLE, FORM_ID, [section(messages.SEND_NO_TEMPLATES)], close="Close",
                     private_metadata=json.dumps(meta))
    number_options = [option(label, pid) for pid, label in numbers[:MAX_OPTIONS]]
    template_options = [option(f"{t.name} · {t.language} · {t.category}"[:75], t.id) for t in templates[:MAX_OPTIONS]]
    blocks = [
        input_block(messages.CAMPAIGN_NAME_LABEL, "name", plain_text_input("value")),
        input_block(messages.CAMPAIGN_NUMBER_LABEL, "number", static_select(
            "value", number_options, number_options[0] if len(number_options) == 1 else None)),
        input_block(messages.SEND_TEMPLATE_LABEL, "template", static_select("value", template_options)),
        input_block(messages.CAMPAIGN_FILE_LABEL, "file", plain_text_input("value"),
                    hint=messages.CAMPAIGN_FILE_HINT.format(limit=defaults.CAMPAIGN_MAX_ROWS)),
        input_block(messages.CAMPAIGN_WHEN_LABEL, "when", datetimepicker("value"), optional=True,
                    hint=messages.CAMPAIGN_WHEN_HINT),
        input_block(messages.CAMPAIGN_REPLY_LABEL, REPLY_FIELD, conversations_select("value", channels_only=True),
                    optional=True, hint=messages.CAMPAIGN_REPLY_HINT),
        input_block(messages.CAMPAIGN_OVERFLOW_LABEL, OVERFLOW_FIELD, number_input(
            "value", 0, defaults.CAMPAIGN_OVERFLOW_MAX, 0), optional=True,
                    hint=messages.CAMPAIGN_OVERFLOW_HINT.format(most=defaults.CAMPAIGN_OVERFLOW_MAX)),
    ]
    return modal(messages.CAMPAIGN_TITLE, FORM_ID, blocks, submit=messages.CAMPAIGN_CHECK, close="Cancel",
                 private_metadata=json.dumps(meta))


def review(meta: dict[str, Any], p: Preview, template: str, needs_approval: bool) -> dict[str, Any]:
    """What the campaign will do; its submit button confirms it (or asks a second admin)."""
    s = p.summary
    lines = [messages.CAMPAIGN_REVIEW_TOP.format(name=escape(str(meta.get("name", ""))), template=escape(template)),
             messages.CAMPAIGN_REVIEW_COUNTS.format(**s)]
    lines.append(messages.CAMPAIGN_REVIEW_COST.format(
        paid=s["paid"], cost=money(s["cost"]), unknown=messages.CAMPAIGN_REVIEW_UNPRICED.format(
            n=s["unknown_cost"]) if s["unknown_cost"] else ""))
    lines.append(limit_line(s))
    lines.append(replies_line(meta))
    blocks = [section("\n".join(lines))]
    refused = [(line, why) for line, why in p.checked.invalid] + \
        [(line, messages.CAMPAIGN_OPTED_OUT) for line in p.opted_out] + \
        [(line, messages.CAMPAIGN_BSUID_ONLY) for line in p.bsuid_only]
    if refused:
        refused.sort()
        shown = [messages.CAMPAIGN_LINE.format(line=line, why=escape(why)[:300])
                 for line, why in refused[:defaults.CAMPAIGN_PROBLEMS_SHOWN]]
        if len(refused) > len(shown):
            shown.append(messages.CAMPAIGN_MORE_LINES.format(n=len(refused) - len(shown)))
        blocks.append(section("\n".join(shown)[:2900]))
    if p.checked.duplicates:
        blocks.append(context_block(messages.CAMPAIGN_DUPLICATES.format(lines=", ".join(
            f"{a} (= {b})" for a, b in p.checked.duplicates[:20]))[:2000]))
    blocks.append(context_block(messages.CAMPAIGN_ESTIMATE_NOTE))
    if not p.to_send:
        return modal(messages.CAMPAIGN_TITLE, REVIEW_ID, blocks + [section(messages.CAMPAIGN_NOTHING_TO_SEND)],
                     close="Close", private_metadata=json.dumps(meta))
    submit = messages.CAMPAIGN_ASK_APPROVAL if needs_approval else messages.CAMPAIGN_CONFIRM
    return modal(messages.CAMPAIGN_TITLE, REVIEW_ID, blocks, submit=submit, close="Cancel",
                 private_metadata=json.dumps(meta))


def replies_line(meta: dict[str, Any]) -> str:
    """Where the campaign's replies will open their threads."""
    overflow = int(meta.get("overflow") or 0)
    if overflow:
        names = ", ".join(f"#{channel_name(str(meta.get('name', '')), int(meta.get('campaign_id') or 0), n)}"
                          for n in range(1, overflow + 1))
        where = messages.CAMPAIGN_REVIEW_OVERFLOW.format(n=overflow, names=names)
    else:
        where = f"<#{meta.get('reply_channel') or meta.get('channel_id')}>"
    return messages.CAMPAIGN_REVIEW_REPLIES.format(where=where)


def limit_line(s: dict[str, Any]) -> str:
    """The messaging limit, the share of it the campaign uses, and what is held back over it (hold)."""
    to_send, daily = s["to_send"], s["daily_limit"]
    if daily is None:
        return messages.CAMPAIGN_LIMIT_UNKNOWN
    if daily < 0:
        return messages.CAMPAIGN_LIMIT_UNLIMITED
    reached = int(s.get("reached") or 0)
    out = messages.CAMPAIGN_LIMIT.format(limit=daily, share=round(100 * to_send / daily) if daily else 100,
                                         reached=messages.CAMPAIGN_LIMIT_REACHED.format(reached=reached)
                                         if reached else "")
    if s.get("held"):
        out += "\n" + messages.CAMPAIGN_REVIEW_HELD.format(held=s["held"], when=slack_date(s.get("held_from")))
    return out
