"""The Slack app manifest (slack/manifest.yml) with the app's public URL filled in: printed by `make manifest`
and shown, ready to copy, on the setup page."""

from pathlib import Path
from string import Template

MANIFEST = Path(__file__).resolve().parent.parent / "slack" / "manifest.yml"


def render(public_url: str) -> str:
    return Template(MANIFEST.read_text()).substitute(PUBLIC_URL=public_url.rstrip("/"))


# The bot scopes the app asks for when a workspace installs it (the manifest lists the same).
BOT_SCOPES = ("commands", "chat:write", "chat:write.public", "channels:join", "channels:read", "groups:read",
              "channels:history", "groups:history", "users:read", "reactions:write", "files:write",
              "files:read", "reactions:read")

# The callback ids of the app's Workflow Builder steps (the manifest's `functions:`): Slack names the steps by them
# in function_executed events and in functions.distributions.permissions.* calls.
SEND_TEMPLATE_STEP = "send_whatsapp_template"
PUBLISH_POST_STEP = "publish_page_post"
STEPS = (SEND_TEMPLATE_STEP, PUBLISH_POST_STEP)
