"""A campaign's recipients file as rows: a CSV (UTF-8, comma or semicolon separated) or an XLSX workbook (its first
sheet), the first row naming the columns. What cannot be read is a Malformed naming the line, so that nothing is
started from half a file."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from typing import Any

from metaops import defaults, messages

XLSX_TYPES = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",)


class Malformed(Exception):
    """The file as a whole cannot be used: what is wrong, with its line."""


@dataclass(frozen=True)
class Sheet:
    columns: list[str]  # as written, stripped and lowercased
    rows: list[tuple[int, dict[str, str]]]  # (line number in the file, column -> value), blank rows left out


def read(data: bytes, name: str, mimetype: str = "", max_rows: int = defaults.CAMPAIGN_MAX_ROWS) -> Sheet:
    """The file's rows; Malformed when it is not a CSV or XLSX this app reads, or has more than `max_rows`."""
    xlsx = name.lower().endswith(".xlsx") or mimetype in XLSX_TYPES
    lines = _xlsx_lines(data) if xlsx else _csv_lines(data)
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    for number, cells in lines:
        if not any(c.strip() for c in cells):
            continue
        if header is None:
            header = [c.strip().lower() for c in cells]
            continue
        if len(rows) == max_rows:
            raise Malformed(messages.CAMPAIGN_FILE_TOO_MANY.format(line=number, limit=max_rows))
        rows.append((number, {k: (cells[i].strip() if i < len(cells) else "") for i, k in enumerate(header) if k}))
    if header is None:
        raise Malformed(messages.CAMPAIGN_FILE_EMPTY)
    return Sheet(header, rows)


def _csv_lines(data: bytes) -> Any:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise Malformed(messages.CAMPAIGN_FILE_NOT_UTF8.format(line=line)) from None
    if "\x00" in text:
        raise Malformed(messages.CAMPAIGN_FILE_NOT_UTF8.format(line=text[: text.index("\x00")].count("\n") + 1))
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        for cells in reader:
            yield reader.line_num, cells
    except csv.Error as e:
        raise Malformed(messages.CAMPAIGN_FILE_CSV_BROKEN.format(line=reader.line_num, why=e)) from None


def _xlsx_lines(data: bytes) -> Any:
    from openpyxl import load_workbook  # only when a workbook comes

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise Malformed(messages.CAMPAIGN_FILE_NOT_XLSX) from None
    try:
        for number, values in enumerate(book.worksheets[0].iter_rows(values_only=True), start=1):
            yield number, [_cell(v) for v in values]
    finally:
        book.close()


def _cell(v: Any) -> str:
    """A cell as the text a person sees: whole numbers without ".0" (a phone typed as a number)."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)
