"""Peak memory and time of importing newsletters from e-mail.

    python benchmarks/mail_import.py [--attachment-mb 50] [--messages 500] [--json OUT]

Writes, in a temporary directory: one small newsletter message (.eml, the baseline), the same
newsletter with an ``--attachment-mb`` PDF attachment (base64, written to disk line by line),
and an mbox of ``--messages`` newsletters with that large message in the middle. Each is imported
by ``briefing-tui import`` in a fresh data and cache directory; the peak resident memory of that
process (ru_maxrss from wait4) and the wall time are reported. An attachment is skipped as the
message streams past, so the large message should cost about what the small one does.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
import tempfile
from email.message import EmailMessage
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from big_entry import import_with_peak  # noqa: E402

BOUNDARY = "==attachment-boundary=="
DAY = datetime(2026, 11, 2, 7, 0, tzinfo=timezone.utc)


def newsletter(number: int) -> EmailMessage:
    """An invented HTML newsletter with three stories and a plain-text alternative."""
    message = EmailMessage()
    message["From"] = f"Brief {number % 7} <news{number % 7}@brief.example>"
    message["Subject"] = f"Brief #{number}: chips, clouds and compilers"
    message["Date"] = format_datetime(DAY + timedelta(hours=number))
    message["Message-ID"] = f"<brief-{number}@brief.example>"
    stories = "".join(
        f"<h2>Story {s} of issue {number}</h2><p>{'A lead sentence about the news. ' * 6}</p>"
        f"<ul><li>One point</li><li>Another point</li></ul><p><b>Bottom line:</b> it matters.</p>"
        for s in range(1, 4)
    )
    message.set_content("Plain text of the issue.\n")
    message.add_alternative(f"<html><body><h1>Brief #{number}</h1>{stories}</body></html>", subtype="html")
    return message


def write_with_attachment(handle, number: int, megabytes: int) -> None:
    """A newsletter followed by a large attachment, streamed to ``handle`` (bytes, LF endings)."""
    head = newsletter(number)
    handle.write(f"From: {head['From']}\nSubject: {head['Subject']}\nDate: {head['Date']}\n".encode())
    handle.write(f"Message-ID: <big-{number}@brief.example>\nMIME-Version: 1.0\n".encode())
    handle.write(f'Content-Type: multipart/mixed; boundary="{BOUNDARY}"\n\n--{BOUNDARY}\n'.encode())
    body = head.get_body(("html",)).get_content()
    handle.write(b"Content-Type: text/html; charset=utf-8\n\n" + body.encode() + b"\n")
    handle.write(f"--{BOUNDARY}\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n".encode())
    handle.write(b'Content-Disposition: attachment; filename="deck.pdf"\n\n')
    chunk = os.urandom(57 * 1024)  # 57 bytes make one 76-character base64 line
    encoded = base64.b64encode(chunk)
    lines = b"".join(encoded[start : start + 76] + b"\n" for start in range(0, len(encoded), 76))
    for _ in range(megabytes * 1024 * 1024 // len(chunk)):
        handle.write(lines)
    handle.write(f"--{BOUNDARY}--\n".encode())


def measure(path: Path) -> dict:
    """Import ``path`` in a fresh directory; peak RSS from the child's resource usage."""
    with tempfile.TemporaryDirectory(prefix="briefing-mail-") as temp:
        summary, peak_mb, seconds = import_with_peak(path, Path(temp))
    return {
        "file_mb": round(path.stat().st_size / 1e6, 1),
        "peak_rss_mb": round(peak_mb, 1),
        "seconds": round(seconds, 2),
        "summary": summary,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attachment-mb", type=int, default=50)
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--json", metavar="OUT")
    args = parser.parse_args(argv)
    results = {}
    with tempfile.TemporaryDirectory(prefix="briefing-mail-files-") as temp:
        root = Path(temp)
        small = root / "small.eml"
        small.write_bytes(bytes(newsletter(1)))
        big = root / "attachment.eml"
        with big.open("wb") as handle:
            write_with_attachment(handle, 2, args.attachment_mb)
        box = root / "newsletters.mbox"
        with box.open("wb") as handle:
            for number in range(args.messages):
                handle.write(f"From news@brief.example {format_datetime(DAY)}\n".encode())
                if number == args.messages // 2:
                    write_with_attachment(handle, 100000 + number, args.attachment_mb)
                else:
                    handle.write(newsletter(number).as_bytes().replace(b"\r\n", b"\n").replace(b"\nFrom ", b"\n>From "))
                handle.write(b"\n")
        for name, path in (("small message", small), (f"{args.attachment_mb} MB attachment", big),
                           (f"mbox of {args.messages}", box)):
            results[name] = measure(path)
            row = results[name]
            print(f"{name:>22}: {row['file_mb']:>7} MB file  peak {row['peak_rss_mb']:>6} MB RSS"
                  f"  {row['seconds']:>6} s  ({row['summary']})", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
