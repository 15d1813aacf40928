"""Slack's side: the Bolt app, the /meta command, modals, and notification formatting."""
