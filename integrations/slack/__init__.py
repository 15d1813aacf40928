"""Slack's Web API as the worker uses it: clients per workspace, posting with Slack's limits, Block Kit helpers.

Imports nothing of ours: tunables come in through constructors."""
