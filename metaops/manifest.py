"""The Slack app manifest (slack/manifest.yml) with the app's public URL filled in: printed by `make manifest`
and shown, ready to copy, on the setup page."""

from pathlib import Path
from string import Template

MANIFEST = Path(__file__).resolve().parent.parent / "slack" / "manifest.yml"


def render(public_url: str, socket_mode: bool = False, install_redirect: bool = True) -> str:
    """The manifest for this deployment. `socket_mode`: Slack's traffic comes over Socket Mode, so no request URL
    (`socket_mode_enabled: true`); the OAuth redirect stays only with `install_redirect` (multi-workspace installs
    still go through /slack/install)."""
    text = Template(MANIFEST.read_text()).substitute(PUBLIC_URL=public_url.rstrip("/"))
    return _socket_mode(text, install_redirect) if socket_mode else text


def _socket_mode(text: str, install_redirect: bool) -> str:
    out: list[str] = []
    lines = text.splitlines()
    skip = 0
    for i, line in enumerate(lines):
        if skip:
            skip -= 1
            continue
        bare = line.strip()
        if bare.startswith(("url:", "request_url:")) and bare.endswith("/slack/events"):
            continue
        if bare == "redirect_urls:" and not install_redirect:
            skip = sum(1 for _ in _takewhile_items(lines[i + 1:]))
            continue
        if bare.startswith("socket_mode_enabled:"):
            line = line.replace("false", "true")
        out.append(line)
    return "\n".join(out) + "\n"


def _takewhile_items(lines: list[str]) -> list[str]:
    """The YAML list items right under a key."""
    items = []
    for line in lines:
        if not line.strip().startswith("- "):
            break
        items.append(line)
    return items


# The bot scopes the app asks for when a workspace installs it (the manifest lists the same).
BOT_SCOPES = ("commands", "chat:write", "chat:write.public", "channels:join", "channels:read", "groups:read",
              "channels:history", "groups:history", "users:read", "reactions:write", "files:write",
              "files:read", "reactions:read", "channels:manage")

# The callback ids of the app's Workflow Builder steps (the manifest's `functions:`): Slack names the steps by them
# in function_executed events and in functions.distributions.permissions.* calls.
SEND_TEMPLATE_STEP = "send_whatsapp_template"
PUBLISH_POST_STEP = "publish_page_post"
STEPS = (SEND_TEMPLATE_STEP, PUBLISH_POST_STEP)
