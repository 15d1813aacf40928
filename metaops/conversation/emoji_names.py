"""Slack names an emoji by its short name (`thumbsup`, `+1`, `heart`, `thumbsup::skin-tone-3`); Meta wants the
emoji itself. Slack's short names are the common aliases the `emoji` package knows; a skin tone is Unicode's
modifier after the emoji. A custom Slack emoji has no Unicode form: None."""

from __future__ import annotations

import emoji

SKIN_TONES = {f"skin-tone-{n}": chr(0x1F3FB + n - 2) for n in range(2, 7)}  # Slack's tones 2-6: U+1F3FB..U+1F3FF


def to_unicode(name: str) -> str | None:
    base, _, tone = name.partition("::")
    found = emoji.emojize(f":{base}:", language="alias")
    if not base or found == f":{base}:" or not emoji.is_emoji(found):
        return None
    if tone:
        modifier = SKIN_TONES.get(tone)
        if modifier is None:
            return None
        found = found.replace("\ufe0f", "") + modifier
    return found


def base_name(name: str) -> str:
    """The emoji's name without its skin tone."""
    return name.partition("::")[0]
