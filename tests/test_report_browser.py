"""The report page in a real browser: Debian's chromium, headless (issue 9).

Opens the page as a reader would, takes the DOM after load and a screenshot, prints it
to PDF, and records the browser's network log. Skipped only where chromium is missing
and $CI is not set (CI installs it: .ci/run).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from reportpage import (
    MINUS,
    SCRIPT_NOTE,
    month_json,
    ranking_rows,
    record,
    written,
)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"),
    reason="chromium is not installed (apt-get install chromium fonts-noto-cjk)",
)


def chromium(page: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run headless chromium on a file, with a fresh profile; its network log beside it."""
    assert CHROMIUM is not None, "CI is set: chromium must be installed (see .ci/run)"
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    done = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--virtual-time-budget=3000",
            f"--log-net-log={tmp_path / 'net.json'}",
            *args,
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def page_requests(log: Path) -> list[str]:
    """URLs the page itself asked for: requests with a page as initiator.

    Chromium's own background traffic (update checks, accounts) has no initiating
    origin ("not an origin"); a request made by a file:// page names its opaque origin.
    """
    data = json.loads(log.read_text(encoding="utf-8"))
    kinds = {number: name for name, number in data["constants"]["logEventTypes"].items()}
    urls = []
    for event in data["events"]:
        params = event.get("params") or {}
        started = kinds.get(event["type"]) == "URL_REQUEST_START_JOB" and "url" in params
        if started and params.get("initiator") != "not an origin":
            urls.append(params["url"])
    return urls


def test_reader_sees_every_department_and_its_json_total(small: Path, tmp_path: Path):
    record(small)
    page = tmp_path / "may.html"
    written(small, page, "2023-05", "-d", "市公安局")
    dom = chromium(page, tmp_path, "--dump-dom").stdout
    rows = ranking_rows(dom)
    expected = month_json(small, "month", "2023-05")["departments"]
    assert [(r[0], r[2].removesuffix("一票否决"), r[7]) for r in rows] == [
        (str(d["rank"]), d["department"], f"{d['total']:.2f}") for d in expected
    ]
    vetoed = [r[2] for r in rows if r[2].endswith("一票否决")]
    assert vetoed == ["市民政局一票否决"]
    assert rows[0][8] == f"{MINUS}0.60"
    # the note holding <script> is text in the DOM: nothing ran, nothing was added
    assert SCRIPT_NOTE.replace("<", "&lt;").replace(">", "&gt;") in dom
    assert "<script" not in dom.lower()
    outside = [
        u for u in page_requests(tmp_path / "net.json") if not u.startswith(("file:", "data:"))
    ]
    assert outside == []


def test_the_network_check_sees_a_page_that_asks_another_host(tmp_path: Path):
    """The check above is not vacuous: a page with a remote image and stylesheet is caught."""
    page = tmp_path / "remote.html"
    page.write_text(
        '<html><body><img src="http://127.0.0.1:9/x.png">'
        '<link rel="stylesheet" href="http://127.0.0.1:9/a.css"></body></html>',
        encoding="utf-8",
    )
    chromium(page, tmp_path, "--dump-dom")
    assert "http://127.0.0.1:9/x.png" in page_requests(tmp_path / "net.json")


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_screenshot_of_the_page(small: Path, tmp_path: Path):
    record(small)
    page = tmp_path / "may.html"
    written(small, page, "2023-05")
    shot = tmp_path / "may.png"
    chromium(page, tmp_path, f"--screenshot={shot}", "--window-size=1200,1600")
    assert png_size(shot) == (1200, 1600)
    assert shot.stat().st_size > 20_000  # a drawn page, not a blank one


def pdf_pages(pdf: bytes) -> list[tuple[float, float]]:
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    return [(float(w), float(h)) for w, h in boxes]


def test_page_prints_to_a4_pdf(small: Path, tmp_path: Path):
    record(small)
    page = tmp_path / "2023.html"
    written(small, page, "2023", "-d", "市公安局", "-d", "市体育局")
    pdf = tmp_path / "2023.pdf"
    chromium(page, tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    pages = pdf_pages(pdf.read_bytes())
    assert len(pages) >= 3  # the ranking and charts, then a page per card
    assert {(round(w), round(h)) for w, h in pages} == {(595, 842)}  # A4 in points
