"""`/meta`: one entry point; the first word picks the subcommand."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot import messages

# Subcommands of SPEC whose issues have not landed yet: they answer with help.
PLANNED = {
    "connect", "status", "refresh", "disconnect", "whatsapp", "templates", "template", "metrics", "pages", "page",
    "posts", "post", "instagram", "media", "webhook", "route", "routes", "admins",
}


def register(app: App) -> None:
    app.command("/meta")(handle)


def handle(ack: Ack, command: dict[str, Any]) -> None:
    words = (command.get("text") or "").split()
    word = words[0].lower() if words else "help"
    if word == "help":
        text = messages.HELP
    elif word in PLANNED:
        text = messages.NOT_YET.format(word=word)
    else:
        text = messages.UNKNOWN.format(word=word.replace("`", "")[:40])
    ack(text=text, response_type="ephemeral")
