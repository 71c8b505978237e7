"""The HTML report in a real browser: its script runs without error, the page lists the
stories and clusters, Urdu reads right to left, and screenshots are saved to
test-artifacts/ (report.png: the seeds; report-wire.png: the wire fixtures, one story of
four documents) for people to look at.

Needs Chromium (``apt-get install chromium``); skipped with that hint when none is found.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from dedup import Corpus, Document, FindResult, find, read_corpus
from dedup.report.html import render_report_html
from dedup.rewording import stories

ROOT = Path(__file__).resolve().parent.parent
WIRE = ROOT / "tests" / "fixtures" / "wire"
ARTIFACTS = ROOT / "test-artifacts"
TIMEOUT = 60
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def browser() -> str:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    pytest.skip(
        "no Chromium found (looked for " + ", ".join(BROWSERS) + "); install it with "
        "`apt-get install chromium` (Debian/Ubuntu) to run the browser test"
    )


def run_browser(exe: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # Everything that could reach the network is off: the report must not need it.
    cmd = [
        exe,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        *args,
    ]
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"{exe} did not finish within {TIMEOUT} s: {e.stderr!r}")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[int]]:
    result = find(read_corpus([ROOT / "seeds"]))
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(render_report_html(result, title="Seeds report"), encoding="utf-8")
    return path, [c.id for c in result.clusters]


def wire_result() -> FindResult:
    corpus = read_corpus([WIRE])
    dated = {"wire.txt": ("Wire", "2024-06-02T06:15:00Z"),
             "verbatim.txt": ("Verbatim Post", "2024-06-02 09:30"),
             "trimmed.txt": ("Trimmed Times", "03.06.24"),
             "reworded.txt": ("Reworded Herald", "June 2, 2024 14:00"),
             "unrelated_same_topic.txt": ("Valley Weekly", "2024-06-01")}
    docs = tuple(dataclasses.replace(d, outlet=dated[d.id][0], date=dated[d.id][1])
                 for d in corpus.documents)
    return find(Corpus(docs, corpus.skipped))


def screenshot(exe: str, page: Path, shot: Path, profile: Path) -> bytes:
    ARTIFACTS.mkdir(exist_ok=True)
    shot.unlink(missing_ok=True)
    run = run_browser(exe, profile, f"--screenshot={shot}", "--window-size=1400,2000",
                      "--hide-scrollbars", page.as_uri())
    assert run.returncode == 0, run.stderr[-2000:]
    assert shot.exists(), run.stderr[-2000:]
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1400, 2000)
    # a blank page compresses to a few kilobytes; a rendered report is far larger
    assert len(data) > 50_000
    return data


def test_report_runs_in_chromium(report: tuple[Path, list[int]], tmp_path: Path) -> None:
    exe = browser()
    path, cluster_ids = report
    run = run_browser(exe, tmp_path / "profile", "--dump-dom", path.as_uri())
    assert run.returncode == 0, run.stderr[-2000:]
    dom = run.stdout
    assert re.search(r'<body[^>]*data-ready="1"', dom), "the report's script did not finish"
    assert "Uncaught" not in run.stderr, run.stderr[-2000:]
    assert "Content Security Policy" not in run.stderr, run.stderr[-2000:]
    # the script turned the sortable headers into buttons, the stories' index too
    assert '<button type="button" class="sort"' in dom
    head = dom.split('id="story-index"', 1)[1].split("</thead>", 1)[0]
    assert '<button type="button" class="sort"' in head
    index = dom.split('id="cluster-index"', 1)[1].split("</table>", 1)[0]
    for cid in cluster_ids:
        assert f'href="#cluster-{cid}"' in index
        assert f'id="cluster-{cid}"' in dom
    # stories come first
    assert dom.index('id="stories"') < dom.index('id="shared"') < dom.index('id="summary"')


def test_report_screenshot(report: tuple[Path, list[int]], tmp_path: Path) -> None:
    path, _ = report
    screenshot(browser(), path, ARTIFACTS / "report.png", tmp_path / "profile")


def test_wire_story_in_chromium(tmp_path: Path) -> None:
    exe = browser()
    result = wire_result()
    (story,) = stories(result)
    path = tmp_path / "wire.html"
    path.write_text(render_report_html(result, title="Marlow dam"), encoding="utf-8")
    run = run_browser(exe, tmp_path / "profile", "--dump-dom", path.as_uri())
    assert run.returncode == 0, run.stderr[-2000:]
    dom = run.stdout
    assert re.search(r'<body[^>]*data-ready="1"', dom)
    part = dom.split('id="story-1"', 1)[1].split('id="shared"', 1)[0]
    assert "printed by 4 outlets, who kept" in part
    for d in story.documents:
        assert f'dir="auto">{d.id}</a>' in part
    assert "unrelated_same_topic.txt" not in part
    for cid in story.clusters:
        assert f'id="cluster-{cid}"' in part
    screenshot(exe, path, ARTIFACTS / "report-wire.png", tmp_path / "profile2")


# Reads the direction the browser gives each element holding corpus text.
DIRECTIONS = """<script>
var out = [];
["blockquote.pivot", "td.dedup-a", "td.dedup-b", "p.headline .title",
 "#document-table td.text"].forEach(function (sel) {
  Array.prototype.forEach.call(document.querySelectorAll(sel), function (el) {
    out.push(sel + "=" + getComputedStyle(el).direction + "/" + getComputedStyle(el).textAlign);
  });
});
document.body.dataset.dirs = out.join(";");
</script>"""

URDU = ("بنگلہ دیش کرکٹ ٹیم کے نوجوان سپنر تیج الاسلام نے ڈیبیو ون ڈے میں زمبابوے کے خلاف ہیٹ "
        "ٹرک کرکے نئی تاریخ رقم کر دی، وہ یہ اعزاز حاصل کرنے والے دنیا کے پہلے باؤلر بن گئے "
        "ہیں۔ ان کی شاندار باؤلنگ کی بدولت زمبابوے کی ٹیم محض 128 رنز پر ڈھیر ہوگئی۔")


def test_urdu_reads_right_to_left(tmp_path: Path) -> None:
    exe = browser()
    docs = (
        Document("app-1", f"{URDU}\n\nڈھاکہ سے رپورٹ", "APP", date="2014-12-01",
                 title="بنگلہ دیشی سپنر کی ہیٹ ٹرک"),
        Document("jang-1", f"لاہور سے خبر\n\n{URDU.replace('128', '129')}", "jang",
                 date="2014-12-02", title="تیج الاسلام کی تاریخ"),
    )
    page = render_report_html(find(Corpus(docs)))
    page = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page)
    path = tmp_path / "urdu.html"
    path.write_text(page.replace("</body>", DIRECTIONS + "</body>"), encoding="utf-8")
    run = run_browser(exe, tmp_path / "profile", "--dump-dom", path.as_uri())
    assert run.returncode == 0, run.stderr[-2000:]
    m = re.search(r'data-dirs="([^"]*)"', run.stdout)
    assert m, run.stderr[-2000:]
    found = [item.split("=", 1) for item in m.group(1).split(";")]
    assert {sel for sel, _ in found} == {"blockquote.pivot", "td.dedup-a", "td.dedup-b",
                                         "p.headline .title", "#document-table td.text"}
    for sel, how in found:
        assert how.startswith("rtl/"), (sel, how)
        if sel != "p.headline .title":  # an inline span has no alignment of its own
            assert how in ("rtl/start", "rtl/right"), (sel, how)


# Clicks a header twice: numbers sort high to low first, then low to high.
CLICK = """<script>
var heads = document.querySelectorAll("#cluster-index thead th");
function ids() {
  return Array.prototype.map.call(document.querySelectorAll("#cluster-index tbody tr"),
    function (r) { return r.cells[0].textContent.trim(); }).join(",");
}
var out = [];
Array.prototype.forEach.call(heads, function (th) {
  if (th.textContent.trim() === "score") {
    th.querySelector("button").click(); out.push(ids() + "|" + th.getAttribute("aria-sort"));
    th.querySelector("button").click(); out.push(ids() + "|" + th.getAttribute("aria-sort"));
  }
});
document.body.dataset.sorted = out.join(";");
</script>"""


def test_index_sorts_on_click(tmp_path: Path) -> None:
    exe = browser()
    result = find(read_corpus([ROOT / "seeds"]))
    page = render_report_html(result)
    # the page's policy runs only its own script: drop it to add the clicking one
    page = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page)
    page = page.replace("</body>", CLICK + "</body>")
    path = tmp_path / "sort.html"
    path.write_text(page, encoding="utf-8")
    run = run_browser(exe, tmp_path / "profile", "--dump-dom", path.as_uri())
    assert run.returncode == 0, run.stderr[-2000:]
    m = re.search(r'data-sorted="([^"]*)"', run.stdout)
    assert m, run.stderr[-2000:]
    (down, down_state), (up, up_state) = (part.split("|") for part in m.group(1).split(";"))
    assert (down_state, up_state) == ("descending", "ascending")
    top = {c.id: max(p.score for p in c.pairs) for c in result.clusters}
    down_scores = [top[int(i)] for i in down.split(",")]
    up_scores = [top[int(i)] for i in up.split(",")]
    assert down_scores == sorted(top.values(), reverse=True)
    assert up_scores == sorted(top.values())
