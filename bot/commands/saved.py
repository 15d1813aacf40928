"""`/meta saved` (the saved replies you may use, with Edit and Delete on those you may change) and `/meta saved add
NAME` (the saved-reply modal). Members keep their own; admins also the workspace's."""

from __future__ import annotations

from functools import cache, partial

from bot.commands.context import Ctx, Reply, text
from bot.modals import saved_reply
from integrations.slack.blocks import Block, actions, button, confirm_dialog, section
from integrations.slack.limits import clip_mrkdwn
from integrations.slack.mrkdwn import escape
from metaops import messages, permissions
from metaops.conversation import saved_replies

EXCERPT_CHARS = 200  # a saved reply's text shown in the list, characters
SHOWN_MAX = 40  # saved replies listed at most (Slack takes 50 blocks; each takes one or two)


def saved(ctx: Ctx) -> Reply:
    if len(ctx.args) > 1 and ctx.args[1].lower() == "add":
        name = " ".join(ctx.args[2:]).strip()
        if not name:
            return text(messages.SAVED_ADD_USAGE)
        saved_reply.open_editor(ctx.client, ctx.trigger_id, ctx.team_id, name=name,
                                may_share=permissions.may_change(ctx.rt, ctx.client, ctx.team_id, ctx.user_id))
        return {}
    found = saved_replies.visible(ctx.rt, ctx.team_id, ctx.user_id)[:SHOWN_MAX]
    if not found:
        return text(messages.SAVED_NONE)
    is_admin = cache(partial(permissions.may_change, ctx.rt, ctx.client, ctx.team_id, ctx.user_id))  # asked once

    out: list[Block] = [section(messages.SAVED_LIST_HEAD)]
    for heading, group in ((messages.SAVED_TEAM_HEAD, [s for s in found if s.shared]),
                           (messages.SAVED_MINE_HEAD, [s for s in found if not s.shared])):
        if group:
            out.append(section(heading))
        for s in group:
            out.append(section(f"*{escape(s.name)}*\n{clip_mrkdwn(escape(s.text), EXCERPT_CHARS)}"))
            if saved_replies.may_manage(s, ctx.user_id, is_admin):
                out.append(actions(
                    button(messages.SAVED_EDIT, saved_reply.EDIT_ACTION, value=str(s.id)),
                    button(messages.SAVED_DELETE, saved_reply.DELETE_ACTION, value=str(s.id), style="danger",
                           confirm=confirm_dialog(messages.SAVED_DELETE, messages.SAVED_DELETE_CONFIRM.format(
                               name=s.name), messages.SAVED_DELETE, "Cancel", style="danger"))))
    return {"text": messages.SAVED_LIST_HEAD, "blocks": out}
