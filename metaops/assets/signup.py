"""Embedded Signup (`/meta connect` with META_CONFIG_ID): what the connect page posts back once Meta's flow ended.

The page (web/pages/signup.html) runs FB.login with the configuration id and posts here the flow's answer: the code
from FB.login, the WhatsApp Business Account, number and business ids from Meta's WA_EMBEDDED_SIGNUP message, and
the PIN typed on the page. The state must come with the cookie of the browser that typed the one-time code (as for
the login). Then, each step shown in Slack as a checklist with Meta's words when it refused: the code exchanged for
the business token; the token checked (debug_token) to reach the WABA the flow named; the number registered; the
app subscribed to the WABA; the connection stored (kind `business`). Nothing is stored unless the token is good and
reaches the flow's WABA."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass

from integrations.meta import business_token, oauth, subscriptions
from integrations.meta.business_token import TokenRefused
from integrations.meta.errors import GraphError
from integrations.slack.client import post_message
from metaops import messages
from metaops.assets import connections
from metaops.runtime import Runtime

log = logging.getLogger(__name__)
ID = re.compile(r"^[0-9]{1,32}$")
PIN = re.compile(r"^[0-9]{6}$")
MARKS = {True: ":white_check_mark:", False: ":x:", None: ":heavy_minus_sign:"}


@dataclass
class Step:
    label: str
    ok: bool | None = None  # None: not run (an earlier step failed)
    detail: str = ""

    def line(self) -> str:
        detail = self.detail or (messages.SIGNUP_SKIPPED if self.ok is None else "")
        return f"{MARKS[self.ok]} {self.label}" + (f": {detail}" if detail else "")


def finish(rt: Runtime, answer: Mapping[str, str], cookies: Mapping[str, str]) -> connections.Outcome:
    state = answer.get("state", "")
    try:
        who = connections.state_store(rt).consume(state, cookies.get(oauth.browser_cookie(state)))
    except oauth.StateError as e:
        return connections.refused(rt, state, e)
    if answer.get("error") or not answer.get("code"):
        text = messages.SIGNUP_CANCELLED.format(why=(answer.get("error") or "no code")[:120])
        connections.tell(rt, who, text)
        return connections.Outcome(False, messages.CONNECT_FAILED_TITLE, text)
    bad = next((f for f, rule in (("waba_id", ID), ("phone_number_id", ID), ("pin", PIN))
                if not rule.match(answer.get(f, ""))), None)
    if bad:
        text = messages.SIGNUP_BAD_ANSWER.format(field=bad)
        connections.tell(rt, who, text)
        return connections.Outcome(False, messages.CONNECT_FAILED_TITLE, text)
    waba, phone = answer["waba_id"], answer["phone_number_id"]
    steps = {k: Step(v.format(waba=waba, phone=phone)) for k, v in messages.SIGNUP_STEPS.items()}
    stored = _run(rt, who, answer, steps)
    text = "\n".join([messages.SIGNUP_CHECKLIST.format(user=who["user_id"]), *(s.line() for s in steps.values())])
    try:
        post_message(rt.slack.for_team(who["team_id"]), who["channel_id"], text + (f"\n{stored}" if stored else ""))
    except Exception as e:  # noqa: BLE001 - the page shows the same steps
        log.warning("could not post the signup checklist: %s", type(e).__name__)
    page = "\n".join(s.line().split(" ", 1)[1] + (" — ok" if s.ok else "") for s in steps.values())
    if stored:
        return connections.Outcome(True, messages.CONNECT_OK_TITLE, f"{messages.CONNECT_OK_PAGE}\n{page}")
    return connections.Outcome(False, messages.CONNECT_FAILED_TITLE, page)


def _run(rt: Runtime, who: dict[str, str], answer: Mapping[str, str], steps: dict[str, Step]) -> str | None:
    """The steps in order; the connection's summary once stored, None when it was not."""
    waba, phone = answer["waba_id"], answer["phone_number_id"]
    try:
        token = business_token.exchange_signup_code(rt.graph, answer["code"])
        steps["exchange"].ok = True
    except GraphError as e:
        log.warning("signup code exchange failed for team %s: %s", who["team_id"], type(e).__name__)
        steps["exchange"].ok, steps["exchange"].detail = False, e.user_text()
        return None
    try:
        reached = business_token.waba_ids(business_token.check(rt.graph, token))
        if waba not in reached:
            raise TokenRefused(messages.SIGNUP_NOT_REACHED.format(reached=", ".join(sorted(reached)) or "none"))
        steps["reach"].ok = True
    except (TokenRefused, GraphError) as e:
        steps["reach"].ok, steps["reach"].detail = False, e.user_text() if isinstance(e, GraphError) else str(e)
        return None
    for key, call in (("register", lambda: business_token.register(rt.graph, token, phone, answer["pin"])),
                      ("subscribe", lambda: subscriptions.subscribe_waba(rt.graph, token, waba))):
        try:
            call()
            steps[key].ok = True
        except GraphError as e:  # shown; the connection is still worth storing (the step can be done again)
            steps[key].ok, steps[key].detail = False, e.user_text()
    try:
        found = oauth.discover(rt.graph, oauth.Token(token, None))
    except GraphError as e:
        steps["store"].ok, steps["store"].detail = False, e.user_text()
        return None
    summary = connections.store(rt, who, token, found, "business")
    steps["store"].ok = True
    return summary
