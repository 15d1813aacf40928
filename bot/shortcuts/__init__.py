"""Slack shortcuts, one module per shortcut."""
