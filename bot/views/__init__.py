"""Modals, one module per view."""
