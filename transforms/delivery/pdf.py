"""The report as PDF, printed by headless Chromium (Debian's `chromium` package) where it is installed.

Chromium stamps the wall clock into the PDF's `/CreationDate` and `/ModDate`; they are rewritten to
the run's start at the same length, so the cross-reference offsets stay valid and the same run
gives the same bytes. Without Chromium no PDF is written and the manifest says why (the HTML report
is the report; the PDF is its printable copy).
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from datetime import datetime
from pathlib import Path

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-extensions", "--disable-default-apps",
         "--mute-audio", "--hide-scrollbars"]
"""As root Chromium needs --no-sandbox; the rest keep it off the (closed) network and away from the user's profile."""


def find_chromium() -> str | None:
    """`$TRAPPE_CHROMIUM`, else `chromium` (Debian) or a Chrome on PATH; None when there is none."""
    explicit = os.environ.get("TRAPPE_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).exists() or shutil.which(explicit) else None
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def print_pdf(chromium: str, html: Path, when: datetime, timeout: float = 120) -> bytes:
    """Chromium's print of `html` (A4 from the page's @page rule, no header or footer), dates pinned to `when`."""
    with tempfile.TemporaryDirectory(prefix="trappe-chromium-") as profile:
        target = Path(profile) / "report.pdf"
        done = subprocess.run([chromium, *FLAGS, f"--user-data-dir={profile}/profile", f"--print-to-pdf={target}",
                               "--no-pdf-header-footer", html.resolve().as_uri()],
                              capture_output=True, text=True, timeout=timeout, check=False)
        if not target.exists() or not target.read_bytes().startswith(b"%PDF"):
            raise RuntimeError(f"Chromium did not print {html.name} (exit {done.returncode}): {done.stderr.strip()[-500:]}")
        return pin_dates(target.read_bytes(), when)


_DATE = re.compile(rb"/(CreationDate|ModDate)\s*\((D:[^)]*)\)")
_XMP_DATE = re.compile(rb"<xmp:(CreateDate|ModifyDate|MetadataDate)>([^<]*)</xmp:\1>")
_ID = re.compile(rb"/ID\s*\[\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*\]")


def pin_dates(data: bytes, when: datetime) -> bytes:
    """Every date in the PDF's metadata set to `when`, and any document /ID derived from the content,
    each at its original length so no offset moves."""
    def pdf_date(match: re.Match[bytes]) -> bytes:
        old = match.group(2)
        for pattern in ("D:%Y%m%d%H%M%S+00'00'", "D:%Y%m%d%H%M%SZ00'00'", "D:%Y%m%d%H%M%S+00'00", "D:%Y%m%d%H%M%SZ", "D:%Y%m%d%H%M%S"):
            new = when.strftime(pattern).encode()
            if len(new) == len(old):
                return match.group(0).replace(old, new)
        raise ValueError(f"cannot pin a PDF date of the form {old!r}")

    def xmp_date(match: re.Match[bytes]) -> bytes:
        old = match.group(2)
        new = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
        new = new[:len(old)] if len(new) >= len(old) else new + b" " * (len(old) - len(new))
        return match.group(0).replace(old, new)

    data = _DATE.sub(pdf_date, data)
    data = _XMP_DATE.sub(xmp_date, data)
    if _ID.search(data):
        digest = hashlib.sha256(_ID.sub(b"/ID []", data)).hexdigest().upper().encode() * 2

        def content_id(match: re.Match[bytes]) -> bytes:
            first, second = match.group(1), match.group(2)
            return match.group(0).replace(first, digest[:len(first)]).replace(second, digest[:len(second)])

        data = _ID.sub(content_id, data)
    return data
