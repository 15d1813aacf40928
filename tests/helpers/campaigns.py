"""A campaign already approved and scheduled, with its template and pending recipients, for tests and benches that
start at the sending (the crash test, bench/campaign)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert

from metaops.runtime import Runtime
from store.models import Campaign, CampaignRecipient, Template
from tests.constants import PHONE_ID, WABA

# An approved MARKETING template with one body variable, as the Graph fake lists it
TEMPLATE: dict[str, Any] = {"id": "800000000000002", "name": "spring_sale", "language": "en",
                            "category": "MARKETING", "status": "APPROVED",
                            "components": [{"type": "BODY", "text": "Hi {{1}}", "example": {"body_text": [["Ana"]]}}]}


def scheduled_campaign(rt: Runtime, name: str, recipients: int) -> int:
    """Campaign `name` of workspace T1 from PHONE_ID, scheduled, to `recipients` Argentinian numbers
    (54911 and the row's index), each with its body value; returns its id."""
    with rt.db.session() as s:
        s.add(Template(waba_id=WABA, team_id="T1", **{k: TEMPLATE[k] for k in (
            "id", "name", "language", "category", "status", "components")}))
        c = Campaign(team_id="T1", name=name, created_by="U_ADMIN", channel_id="C1", phone_number_id=PHONE_ID,
                     template_id=TEMPLATE["id"], template_name=TEMPLATE["name"], language=TEMPLATE["language"],
                     category=TEMPLATE["category"], state="scheduled", summary={})
        s.add(c)
        s.flush()
        rows = [{"campaign_id": c.id, "line": i + 2, "phone": f"54911{i:08d}", "values": {"body_1": f"C{i}"},
                 "state": "pending", "replied": False} for i in range(recipients)]
        for i in range(0, recipients, 1000):
            s.execute(insert(CampaignRecipient), rows[i:i + 1000])
        return int(c.id)
