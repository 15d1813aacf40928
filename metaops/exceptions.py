"""The app's own exceptions."""


class ConfigError(Exception):
    """A setting is missing or malformed; the message names it."""


class NotConnected(Exception):
    """The workspace has no working Meta connection; the message says what to do."""


class NotAllowed(Exception):
    """The user may not change this; the message says who may."""
