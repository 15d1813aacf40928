"""Slash command listeners, one module per command."""
