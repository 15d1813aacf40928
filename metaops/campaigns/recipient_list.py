"""A campaign's recipients read from its file (sheet.Sheet) against the template's needs: one row per customer
(`phone` or `bsuid`, and one column per template value named as the send modal names it: `header_text`,
`body_1`…, `button_1`…, `coupon_code`; `header_media` for a media header, see header_link), checked as
`/meta send` checks one. A missing column refuses the whole file; a bad row is refused on its own line; a customer
named twice is sent once (the first line)."""

from __future__ import annotations

from dataclasses import dataclass, field

from metaops import messages
from metaops.campaigns import header_link
from metaops.campaigns.sheet import Malformed, Sheet
from metaops.exceptions import Refusal
from metaops.templates.recipients import parse_recipient
from metaops.templates.values import Needs, check, value_names

ADDRESS_COLUMNS = ("phone", "bsuid")


@dataclass(frozen=True)
class Row:
    line: int
    phone: str | None
    bsuid: str | None
    values: dict[str, str]

    @property
    def key(self) -> str:
        return self.phone or self.bsuid or ""


@dataclass
class Checked:
    rows: list[Row] = field(default_factory=list)  # to send, in file order
    read: int = 0  # rows in the file
    invalid: list[tuple[int, str]] = field(default_factory=list)  # (line, why)
    duplicates: list[tuple[int, int]] = field(default_factory=list)  # (line, the line it repeats)


def check_sheet(sheet: Sheet, needs: Needs) -> Checked:
    """The rows to send and the ones refused; Malformed when the file cannot serve this template at all."""
    if not any(c in sheet.columns for c in ADDRESS_COLUMNS):
        raise Malformed(messages.CAMPAIGN_NO_ADDRESS.format(columns=_listed(sheet.columns)))
    if header_link.wanted(needs) and header_link.COLUMN not in sheet.columns:
        raise Malformed(messages.CAMPAIGN_MEDIA_COLUMN.format(kind=header_link.kind(needs),
                                                              columns=_listed(sheet.columns)))
    wanted = value_names(needs)
    missing = [k for k, _ in wanted if k not in sheet.columns]
    if missing:
        raise Malformed(messages.CAMPAIGN_MISSING_COLUMNS.format(missing=_listed(missing),
                                                                 columns=_listed(sheet.columns)))
    names = dict(wanted) | {header_link.COLUMN: header_link.label(needs)}
    out = Checked(read=len(sheet.rows))
    first: dict[str, int] = {}
    for line, cells in sheet.rows:
        raw = cells.get("phone") or cells.get("bsuid") or ""
        try:
            phone, bsuid = parse_recipient(raw)
        except Refusal:
            out.invalid.append((line, messages.CAMPAIGN_BAD_ADDRESS.format(value=raw[:40] or "(empty)")))
            continue
        if cells.get("bsuid") and cells.get("phone"):  # both given: the BSUID names the customer as Meta does
            bsuid = parse_bsuid(cells["bsuid"]) or bsuid
        values = {k: cells.get(k, "") for k, _ in wanted}
        errors = check(needs, values)
        errors.pop("header_media", None)  # the send modal's Slack file: a campaign's media is a link or an id
        if header_link.wanted(needs):
            values[header_link.COLUMN] = cells.get(header_link.COLUMN, "").strip()
            media_problem = header_link.problem(values[header_link.COLUMN])
            if media_problem:
                errors = {header_link.COLUMN: media_problem, **errors}
        if errors:
            out.invalid.append((line, "; ".join(f"{names.get(k, k)}: {why}" for k, why in errors.items())))
            continue
        row = Row(line, phone, bsuid, values)
        if row.key in first:
            out.duplicates.append((line, first[row.key]))
            continue
        first[row.key] = line
        out.rows.append(row)
    return out


def parse_bsuid(raw: str) -> str | None:
    try:
        return parse_recipient(raw)[1]
    except Refusal:
        return None


def _listed(names: list[str]) -> str:
    return ", ".join(f"`{n}`" for n in names if n) or "none"
