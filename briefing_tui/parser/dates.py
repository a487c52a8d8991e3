"""Turning the dates newsletters write into ISO dates."""

from __future__ import annotations

import re
import time
from datetime import date, datetime, timezone
from email.utils import parsedate_to_datetime

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_PATTERNS = (
    re.compile(r"\b(?P<year>\d{4})-(?P<mnum>\d{1,2})-(?P<day>\d{1,2})\b"),
    re.compile(r"\b(?P<year>20\d{2}|19\d{2})[./](?P<mnum>\d{1,2})[./](?P<day>\d{1,2})\b"),
    re.compile(_MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})\b", re.I),
    re.compile(r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r",?\s+(?P<year>\d{4})\b", re.I),
)
#: A line that holds a date and little else ("Feb 14, 2026", "Saturday, February 14, 2026").
DATE_LINE = re.compile(
    r"^\s*(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?(?:"
    + _MONTH
    + r"\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|\d{1,2}\s+"
    + _MONTH.replace("?P<month>", "?:")
    + r",?\s+\d{4}|\d{4}-\d{2}-\d{2})\s*$",
    re.I,
)


def find_date(text: str | None) -> str | None:
    """The first calendar date written in ``text``, as YYYY-MM-DD, or None."""
    if not text:
        return None
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            groups = match.groupdict()
            month = int(groups["mnum"]) if groups.get("mnum") else _MONTHS[groups["month"].lower()]
            try:
                return date(int(groups["year"]), month, int(groups["day"])).isoformat()
            except ValueError:
                continue
    return parse_timestamp(text)


def _moment(text: str) -> datetime | None:
    """The instant an RFC 822 or ISO 8601 timestamp names, or None."""
    text = text.strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


def parse_timestamp(text: str | None) -> str | None:
    """ISO date of an RFC 822 or ISO 8601 timestamp (feed and <time datetime> values)."""
    moment = _moment(text) if text else None
    return moment.date().isoformat() if moment else None


def utc_date(text: str | None) -> str | None:
    """The UTC day of a timestamp that carries a zone (its own day otherwise), else the first
    date written in ``text``: e-mail Date headers and archive stamps."""
    moment = _moment(text) if text else None
    if moment is None:
        return find_date(text)
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return moment.date().isoformat()


def from_struct_time(value: time.struct_time | None) -> str | None:
    """ISO date of a struct_time as feedparser gives it."""
    if not value:
        return None
    try:
        return date(value.tm_year, value.tm_mon, value.tm_mday).isoformat()
    except (ValueError, AttributeError):
        return None
