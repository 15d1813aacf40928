"""Graph API versions and the day Meta stops serving each: the one table the app's daily version check reads.

Source: Meta's Graph API changelog, "Available Graph API Versions"
(https://developers.facebook.com/documentation/development/graph-api/changelog; also
https://developers.facebook.com/docs/graph-api/changelog/versions/), checked 2026-12-07. Meta keeps a version for
at least two years: it ends two years after the next version's release, so a version whose successor is not out
yet has no published end ("TBD": None here). v27.0 came out on 2026-11-04 (Meta's blog, "Introducing Graph API
v27.0"), so v26.0 should end near 2028-11-04 once Meta publishes it. Add a row when Meta releases a version."""

from __future__ import annotations

from datetime import date

SOURCE = "https://developers.facebook.com/documentation/development/graph-api/changelog"
CHECKED = date(2026, 12, 14)

# version -> (released, available until; None: not published yet)
VERSIONS: dict[str, tuple[date, date | None]] = {
    "v27.0": (date(2026, 11, 4), None),
    "v26.0": (date(2026, 7, 29), None),
    "v25.0": (date(2026, 2, 18), date(2028, 7, 29)),
    "v24.0": (date(2025, 10, 8), date(2028, 2, 18)),
    "v23.0": (date(2025, 5, 29), date(2027, 10, 8)),
    "v22.0": (date(2025, 1, 21), date(2027, 5, 20)),
    "v21.0": (date(2024, 10, 2), date(2027, 1, 21)),
    "v20.0": (date(2024, 5, 21), date(2026, 9, 24)),
    "v19.0": (date(2024, 1, 23), date(2026, 5, 21)),
    "v18.0": (date(2023, 9, 12), date(2026, 1, 26)),
    "v17.0": (date(2023, 5, 23), date(2025, 9, 12)),
    "v16.0": (date(2023, 2, 2), date(2025, 5, 14)),
    "v15.0": (date(2022, 9, 15), date(2024, 11, 20)),
    "v14.0": (date(2022, 5, 25), date(2024, 9, 17)),
    "v13.0": (date(2022, 2, 8), date(2024, 5, 28)),
}


def end_of(version: str) -> date | None:
    """The day Meta stops serving `version`; None when not published (a current version) or not in the table."""
    return VERSIONS.get(version, (date.min, None))[1]


def known(version: str) -> bool:
    return version in VERSIONS
