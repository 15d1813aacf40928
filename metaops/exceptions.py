"""The app's own exceptions."""


class ConfigError(Exception):
    """A setting is missing or malformed; the message names it."""


class NotConnected(Exception):
    """The workspace has no working Meta connection; the message says what to do."""


class NotAllowed(Exception):
    """The user may not change this; the message says who may."""


class Refusal(Exception):
    """Why this template cannot go to this customer (shown against `field`)."""

    def __init__(self, text: str, field: str = "template") -> None:
        super().__init__(text)
        self.text = text
        self.field = field
