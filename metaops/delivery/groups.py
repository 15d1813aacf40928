"""WhatsApp group events (fields group_lifecycle_update, group_participants_update, group_settings_update,
group_status_update; one `groups[]` item each) as one short sentence for the group's thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from integrations.meta.payload import Person
from integrations.slack.mrkdwn import escape
from metaops import messages
from metaops.conversation.naming import who


def describe(g: dict[str, Any]) -> str:
    kind = str(g.get("type") or "")
    say = SENTENCES.get(kind)
    text = say(g) if say else messages.GROUP_OTHER.format(what=escape(kind.replace("_", " ") or "update"))
    err = next((e for e in g.get("errors") or [] if isinstance(e, dict)), None)
    if err:
        text += messages.GROUP_FAILED.format(why=escape(str(err.get("title") or err.get("message") or err.get("code"))))
    return text


def _created(g: dict[str, Any]) -> str:
    link = str(g.get("invite_link") or "")
    shown = f" (<{link}|invite link>)" if link.startswith("https://") and not any(c in link for c in "<>| ") else ""
    return messages.GROUP_CREATED.format(subject=_subject(g), link=shown)


def _added(g: dict[str, Any]) -> str:
    how = messages.GROUP_VIA_LINK if g.get("reason") == "invite_link" else ""
    return messages.GROUP_JOINED.format(who=_people(g.get("added_participants")), how=how)


def _removed(g: dict[str, Any]) -> str:
    said = messages.GROUP_LEFT if g.get("initiated_by") == "participant" else messages.GROUP_REMOVED
    return said.format(who=_people(g.get("removed_participants")))


def _settings(g: dict[str, Any]) -> str:
    changed = [f"{escape(k)} “{escape(str(g[k]))}”" for k in ("subject", "description") if g.get(k)]
    for s in g.get("settings") or []:
        if isinstance(s, dict) and s.get("name"):
            changed.append(escape(str(s["name"]).replace("_", " ")))
    return messages.GROUP_SETTINGS.format(what=", ".join(changed) or messages.GROUP_SETTINGS_UNNAMED)


SENTENCES: dict[str, Callable[[dict[str, Any]], str]] = {
    "group_create": _created,
    "group_delete": lambda g: messages.GROUP_DELETED,
    "group_participants_add": _added,
    "group_participants_remove": _removed,
    "group_join_request_created": lambda g: messages.GROUP_JOIN_ASKED.format(who=_person(g)),
    "group_join_request_revoked": lambda g: messages.GROUP_JOIN_WITHDRAWN.format(who=_person(g)),
    "group_settings_update": _settings,
    "group_suspend": lambda g: messages.GROUP_SUSPENDED,
    "group_suspend_cleared": lambda g: messages.GROUP_UNSUSPENDED,
}


def _subject(g: dict[str, Any]) -> str:
    return f" *{escape(str(g['subject']))}*" if g.get("subject") else ""


def _person(p: Any) -> str:
    """A participant as customers are named; a bare `input` (what the business asked for) when Meta said no more."""
    if not isinstance(p, dict):
        return escape(str(p)) if p not in (None, "") else messages.UNKNOWN_CONTACT
    profile = p["profile"] if isinstance(p.get("profile"), dict) else {}
    person = Person(bsuid=_text(p.get("user_id")), phone=_text(p.get("wa_id")),
                    username=_text(p.get("username") or profile.get("username")), name=_text(profile.get("name")))
    if not (person.bsuid or person.phone or person.username or person.name) and p.get("input"):
        return f"`{escape(str(p['input']))}`"
    return who(person)


def _people(v: Any) -> str:
    people = [_person(p) for p in v] if isinstance(v, list) else []
    return ", ".join(people) or messages.GROUP_SOMEONE


def _text(v: Any) -> str | None:
    return str(v) if v not in (None, "") else None
