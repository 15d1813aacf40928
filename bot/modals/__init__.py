"""Modals: each module builds its view and handles its view_submission (`register(app, rt)`)."""
