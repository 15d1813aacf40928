"""scripts/screenshots.py draws Block Kit as a Slack-like HTML page: the state line's mrkdwn made readable (bold,
mentions by name, Slack's dates, emoji shortcodes as pictures), buttons with their style, selects as boxes."""

from __future__ import annotations

from scripts.screenshots import EMOJI, mrkdwn, page

USERS = {"U_MEMBER": "max"}


def test_mrkdwn_bold_mention_date_link_and_emoji():
    shown = mrkdwn(":bust_in_silhouette: *Claimed by <@U_MEMBER>*  ·  Claimed by <@U_MEMBER> "
                   "<!date^1796604179^{date_short_pretty} {time}|2026-12-07 00:42 UTC> <https://x.test/a?b=1&c|see> "
                   ":unknown_one: a < b", USERS)
    assert '<b>Claimed by <span class="mention">@max</span></b>' in shown
    assert "Dec 7 00:42" in shown and "!date" not in shown
    assert '<a href="https://x.test/a?b=1&amp;c">see</a>' in shown
    assert 'aria-label=":bust_in_silhouette:"' in shown and EMOJI["bust_in_silhouette"] in shown
    assert '<span class="shortcode">:unknown_one:</span>' in shown and "a &lt; b" in shown


def test_a_root_becomes_a_page_of_blocks_buttons_and_selects():
    message = {"ts": "1700000000.000001", "text": "fallback", "blocks": [
        {"type": "section", "text": {"type": "mrkdwn", "text": "*Customer 4567* +15551234567\nWhere?"}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": ":large_green_circle: *Open*, unclaimed"}]},
        {"type": "actions", "elements": [
            {"type": "button", "action_id": "a", "text": {"type": "plain_text", "text": "Claim"}, "style": "primary"},
            {"type": "users_select", "action_id": "b", "placeholder": {"type": "plain_text", "text": "Assign to…"}},
            {"type": "button", "action_id": "c", "text": {"type": "plain_text", "text": "Resolve"}}]}]}
    html = page(message, USERS)
    assert '<div class="section"><b>Customer 4567</b> +15551234567<br>Where?</div>' in html
    assert '<div class="context"><span>' in html and "<b>Open</b>, unclaimed" in html
    assert '<span class="btn primary">Claim</span>' in html and '<span class="btn">Resolve</span>' in html
    assert '<span class="select" data-kind="users_select">Assign to…<span class="chev">' in html
    assert "fallback" not in html  # the blocks, not the notification text
