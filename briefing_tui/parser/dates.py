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


#: A day written without its year ("Apr 26", "Sunday, April 26th"), as e-mails date themselves.
_YEARLESS_DAY = re.compile(
    r"^\s*(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?" + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?\s*$",
    re.I,
)
#: A day stamped on data or a page, in any common spelling ("Market data as of 4/27/2026").
_STAMPED = re.compile(
    r"\b(?:as of|updated(?: on| at)?|published(?: on)?|posted(?: on)?|sent(?: on)?)\s+"
    r"(?P<text>(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})|[A-Za-z]{3,9}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}"
    r"|\d{4}-\d{2}-\d{2})",
    re.I,
)
_YEAR_STATED = re.compile(r"(?:©|\(c\)|copyright)\s*(?P<year>(?:19|20)\d{2})\b|" + _MONTH + r",?\s+(?P<year2>(?:19|20)\d{2})\b", re.I)


def yearless_day(text: str) -> tuple[int, int] | None:
    """(month, day) for a line that is a day without its year ("Apr 26"), else None."""
    match = _YEARLESS_DAY.match(text)
    if not match or not 1 <= int(match.group("day")) <= 31:
        return None
    return _MONTHS[match.group("month").lower()], int(match.group("day"))


def stated_year(text: str) -> int | None:
    """The year a copyright line or a "Sunday April, 2026" line states, else None."""
    match = _YEAR_STATED.search(text)
    if not match:
        return None
    return int(match.group("year") or match.group("year2"))


def with_year(month: int, day: int, *, near: str | None = None, year: int | None = None) -> str | None:
    """The ISO day of (month, day): in the year that puts it closest to ``near`` (an ISO day)
    when given, else in ``year``; None when neither is known or the day does not exist."""
    candidates: list[date] = []
    if near:
        try:
            anchor = date.fromisoformat(near)
        except ValueError:
            anchor = None
        if anchor is not None:
            for offset in (-1, 0, 1):
                try:
                    candidates.append(date(anchor.year + offset, month, day))
                except ValueError:
                    continue
            if candidates:
                return min(candidates, key=lambda c: abs((c - anchor).days)).isoformat()
    if year is not None:
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            return None
    return None


def stamped_date(text: str) -> str | None:
    """The day a stamp in running text states ("as of 4/27/2026", "Updated May 2, 2026")."""
    match = _STAMPED.search(text)
    if not match:
        return None
    if match.group("m"):
        try:
            return date(int(match.group("y")), int(match.group("m")), int(match.group("d"))).isoformat()
        except ValueError:
            return None
    return find_date(match.group("text"))


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
