"""The Slack app manifest (slack/manifest.yml) with the app's public URL filled in; rendered by
metaops.manifest (the setup page and `make manifest` use it too)."""

from metaops.manifest import MANIFEST, render

__all__ = ["BOT_SCOPES", "MANIFEST", "render"]

# The bot scopes the app asks for when a workspace installs it (the manifest lists the same).
BOT_SCOPES = ("commands", "chat:write", "chat:write.public", "channels:join", "channels:read", "groups:read",
              "channels:history", "groups:history", "users:read", "reactions:write", "files:write",
              "files:read")
