"""Slack event listeners, one module per kind."""
