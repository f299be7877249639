"""Measure how a built book fits its pages: numbers the PDF lost, LaTeX's overfull boxes, wide HTML tables.

Run after ``python -m movers build --pdf``::

    python tools/layout_report.py            # the project's _build
    python tools/layout_report.py --html     # also measure every HTML table in headless Chromium

* PDF numbers lost: for each table's CSV download (``_build/src/downloads/<chapter>/<table>.csv``, the
  table as shown), the numbers its cells hold that ``pdftotext`` does not find intact in the PDF;
* overfull boxes: the ``Overfull \\hbox``/``\\vbox`` lines of the LaTeX log;
* HTML tables wider than the text column, and of those how many are cut (wider than the box that shows
  them, with nothing to scroll): each page is opened in headless Chromium (Debian package ``chromium``)
  with a script that writes the widths into the page's title.
"""

from __future__ import annotations

import argparse
import html as html_lib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from movers.core import paths
from movers.pages import typeset

MEASURE = """
<script>
window.addEventListener('load', () => {
  const article = document.querySelector('article.bd-article') || document.body;
  const pad = getComputedStyle(article);
  const column = article.clientWidth - parseFloat(pad.paddingLeft) - parseFloat(pad.paddingRight);
  const out = [];
  document.querySelectorAll('article table').forEach((t, i) => {
    let box = t.parentElement, clipped = false;
    // the nearest ancestor that scrolls decides whether the reader can reach the table's last column
    while (box && box !== article) {
      const s = getComputedStyle(box);
      if (['auto', 'scroll'].includes(s.overflowX)) break;
      box = box.parentElement;
    }
    const scrolls = box && box !== article;
    const width = t.getBoundingClientRect().width;
    if (width > column + 1 && !scrolls) clipped = true;
    const cap = t.querySelector('caption');
    // a caption as wide as a table that scrolls runs under the box's edge: its end is cut off
    const shown = scrolls ? box.clientWidth : column;
    const captionCut = !!cap && cap.getBoundingClientRect().width > shown + 1;
    out.push({i, width: Math.round(width), column: Math.round(column), scrolls: !!scrolls, clipped, captionCut,
              caption: cap ? cap.textContent.trim().slice(0, 60) : ''});
  });
  const maths = [...document.querySelectorAll('mjx-container[display="true"], div.math')].map(m => {
    const r = m.getBoundingClientRect();
    const s = getComputedStyle(m);
    return {width: Math.round(m.scrollWidth), shown: Math.round(r.width), scrolls: ['auto', 'scroll'].includes(s.overflowX)};
  });
  const imgs = [...document.querySelectorAll('article img')].map(im => im.getAttribute('alt') || '');
  document.title = 'MEASURE' + JSON.stringify({tables: out, maths, imgs, column});
});
</script>
"""


def pdf_numbers(build: Path) -> dict[str, list[str]]:
    pdfs = sorted((build / "book/_build/latex").glob("*.pdf"))
    if not pdfs:
        sys.exit(f"no PDF under {build / 'book/_build/latex'}: run `python -m movers build --pdf`")
    return typeset.lost_numbers(typeset.pdf_text(pdfs[0]), _csvs(build))


def _csvs(build: Path) -> dict[str, str]:
    """Each table's CSV download as shown on its page (not its numbers unrounded), by chapter/name."""
    return typeset.shown_tables(build / "src/downloads")


def html_measures(build: Path, width: int = 1280) -> dict[str, dict]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("chromium is not installed (Debian: apt-get install chromium)")
    html = (build / "book/_build/html").resolve()
    out = {}
    for page in sorted(html.rglob("*.html")):
        if page.parent.name in ("_static", "_sources", "genindex") or page.name in ("search.html", "genindex.html"):
            continue
        text = page.read_text()
        probe = page.with_name(f".measure-{page.name}")
        probe.write_text(text.replace("</body>", MEASURE + "</body>"))
        with tempfile.TemporaryDirectory() as profile:
            proc = subprocess.run(
                [
                    chromium,
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    f"--user-data-dir={profile}",
                    f"--window-size={width},900",
                    "--virtual-time-budget=8000",
                    "--dump-dom",
                    probe.as_uri(),
                ],
                capture_output=True,
                text=True,
                timeout=120,
            )
        probe.unlink()
        start = proc.stdout.find("<title>MEASURE")
        if start < 0:
            out[str(page.relative_to(html))] = {"error": "no measure"}
            continue
        end = proc.stdout.find("</title>", start)
        out[str(page.relative_to(html))] = json.loads(html_lib.unescape(proc.stdout[start + len("<title>MEASURE") : end]))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", type=Path, default=paths.BUILD, help="the _build folder (default: the project's)")
    ap.add_argument("--html", action="store_true", help="measure the HTML tables in headless Chromium")
    ap.add_argument("--width", type=int, default=1280, help="browser window width for --html (px)")
    args = ap.parse_args(argv)
    lost = pdf_numbers(args.build)
    print(f"PDF numbers lost: {sum(map(len, lost.values()))} in {len(lost)} table(s)")
    for name, nums in lost.items():
        print(f"  {name}: {', '.join(nums[:8])}{' ...' if len(nums) > 8 else ''}")
    raw = typeset.pdf_text(sorted((args.build / "book/_build/latex").glob("*.pdf"))[0], "raw")
    broken = typeset.broken_words(raw, _csvs(args.build))
    words = sorted({w for ws in broken.values() for w in ws})
    print(
        f"PDF table labels hyphenated inside a word: {len(words)} distinct word(s), found in the labels of {len(broken)} table(s)"
    )
    if words:
        print("  " + ", ".join(words[:40]) + (" ..." if len(words) > 40 else ""))
    logs = sorted((args.build / "book/_build/latex").glob("*.log"))
    boxes = typeset.overfull_boxes(logs[0].read_text(errors="replace")) if logs else []
    print(f"overfull boxes: {len(boxes)} (over 1 pt: {sum(b > 1 for b in boxes)}; budget {typeset.OVERFULL_BUDGET})")
    if args.html:
        pages = html_measures(args.build, args.width)
        wide = [(p, t) for p, m in pages.items() for t in m.get("tables", []) if t["width"] > t["column"] + 1]
        cut = [(p, t) for p, t in wide if t["clipped"]]
        maths = [(p, m) for p, v in pages.items() for m in v.get("maths", []) if m["width"] > m["shown"] + 1 and not m["scrolls"]]
        alts = [(p, a) for p, v in pages.items() for a in v.get("imgs", [])]
        bad_alt = [(p, a) for p, a in alts if not a or "/" in a or a.endswith(".png")]
        print(f"HTML tables wider than the text column: {len(wide)}; of these without a scroll box (cut): {len(cut)}")
        for p, t in cut:
            print(f"  {p}: {t['width']} px > {t['column']} px  {t['caption']}")
        caps = [(p, t) for p, m in pages.items() for t in m.get("tables", []) if t.get("captionCut")]
        print(f"captions wider than the box that shows them (cut off): {len(caps)}")
        wide_maths = [m for v in pages.values() for m in v.get("maths", []) if m["width"] > m["shown"] + 1]
        print(f"display equations wider than their box: {len(wide_maths)}; of these not scrolling (cut): {len(maths)}")
        print(f"images: {len(alts)}; alt text missing or a file path: {len(bad_alt)}")
        for p, a in bad_alt:
            print(f"  {p}: {a!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
