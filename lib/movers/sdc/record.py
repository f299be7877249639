"""A restricted run's record for the output checkers: where it is kept (``checking_folder``, cleared by
``start_run``), the files written there (``write``: ``record.json`` and ``cells.csv`` with the counts behind
every cell; ``acro/``, ACRO's ``results.json`` layout that the SACRO viewer opens), and the banner a page
shows, stating only the checks that were made (``banner_text``)."""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import os
import shutil
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from movers.core import paths
from movers.core.source import DataSource
from movers.sdc.checker import Checker, Output
from movers.sdc.redact import write_atomic
from movers.sdc.rules import REASONS, SUPPRESSED, Rules


def checking_folder(chapter: str, build: Path | None = None) -> Path:
    """``_build/output_checking/<chapter>``: beside the book, never in the staged book (``_build/src``)."""
    return Path(build or paths.BUILD) / "output_checking" / chapter


def start_run(
    chapter: str, source: DataSource | str | None = None, rules: Rules | Mapping | None = None, build: Path | None = None
) -> Checker:
    """The checker of a chapter run. Clears the chapter's checking folder first (renamed aside, then
    deleted, so no old record survives a failed run and no half-deleted one is ever seen). The checker is
    active for restricted data only; its rules come from the data source (``DataSource.rules``) or the YAML."""
    folder = checking_folder(chapter, build)
    if folder.exists():
        aside = folder.with_name(f".{chapter}.old-{os.getpid()}")
        os.replace(folder, aside)
        shutil.rmtree(aside, ignore_errors=True)
    (folder.parent / f"{chapter}_counts.csv").unlink(missing_ok=True)  # the file of the earlier checker
    kind = source.kind if isinstance(source, DataSource) else source
    active = kind == "restricted"
    if rules is None and isinstance(source, DataSource):
        rules = source.rules
    return Checker(chapter, rules, active=active, folder=folder)


def write(chk: Checker) -> Path | None:
    """Write the checker's ``record.json`` and ``cells.csv`` (one line per checked cell) to the run's folder,
    atomically, and ``acro/`` beside them (``write_acro``). Inactive checkers (synthetic or public data) write nothing."""
    if not chk.active or chk.folder is None:
        return None
    chk.folder.mkdir(parents=True, exist_ok=True)
    rec = chk.record()
    write_atomic(chk.folder / "record.json", json.dumps(rec, indent=1, default=str))
    buf = io.StringIO()
    w = csv.DictWriter(
        buf, fieldnames=["output", "kind", "source", "row", "column", "outcome", "rule", "count", "detail", "value"]
    )
    w.writeheader()
    for o in rec["outputs"]:
        for c in o["cells"]:
            w.writerow({"output": o["output"], "kind": o["kind"], "source": o["source"], **c})
    write_atomic(chk.folder / "cells.csv", buf.getvalue())
    write_acro(chk, chk.folder / "acro")
    return chk.folder / "record.json"


def banner_text(record: Checker | Mapping | str | Path) -> str:
    """The restricted banner's sentence, from what the checker actually did (a Checker, its record, or
    the path of ``record.json``); it never claims a check that was not made."""
    if isinstance(record, (str, Path)):
        record = json.loads(Path(record).read_text())
    elif isinstance(record, Checker):
        record = record.record()
    outputs = record.get("outputs", [])
    if not record.get("active", True) or not outputs:
        return (
            "This page was computed from licensed microdata. No output of this page was checked by `movers.sdc`; "
            "every output needs the data owner's output checking before release."
        )
    used = {r for o in outputs for r in o.get("rules_applied", [])}
    applied = [w for w in Rules.of(record.get("rules", {})).describe() if w in used]
    kinds = pd.Series([o["kind"] for o in outputs]).value_counts()
    n_withheld = sum(c["outcome"] == "withheld" for o in outputs for c in o["cells"])
    what = ", ".join(_count(n, *KIND_NOUNS.get(k, (k, k + "s"))) for k, n in kinds.items())
    return (
        f"This page was computed from licensed microdata. Its {_count(len(outputs), 'checked output')} ({what}) passed "
        f"the disclosure checks of `movers.sdc`: {'; '.join(applied)}. {_count(n_withheld, 'cell')} "
        f"{'was' if n_withheld == 1 else 'were'} withheld ([c]). They still need the data owner's output checking before release."
    )


# the kinds of checked output in the banner's words (singular, plural); a kind not listed takes an "s"
KIND_NOUNS = {
    "shares": ("share table", "share tables"),
    "magnitudes": ("magnitude table", "magnitude tables"),
    "descriptives": ("descriptive table", "descriptive tables"),
    "prose": ("set of prose facts", "sets of prose facts"),
    "count": ("set of counts of people", "sets of counts of people"),
}


def _count(n: int, singular: str, plural: str | None = None) -> str:
    """``n`` and the noun in its number: the page's prose checker refuses placeholders such as "cell(s)"."""
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"


# ----------------------------------------------------------------------------- ACRO's results format

ACRO_FORMAT_VERSION = "0.4.0"  # the results.json layout of ACRO 0.4, which the SACRO viewer reads
_ACRO_FLAGS = {  # our rule -> the name ACRO gives the same check in ``sdc.cells`` / ``sdc.summary``
    "threshold": "threshold",
    "zero": "threshold",
    "dominance": "nk-rule",
    "p-ratio": "p-ratio",
}


def acro_status(out: Output) -> str:
    """ACRO's status of one output: ``pass`` (nothing withheld), ``review`` (released with cells withheld:
    the checker looks at what is left), ``fail`` (everything withheld)."""
    withheld = sum(c["outcome"] == "withheld" for c in out.cells)
    return "pass" if withheld == 0 else ("fail" if withheld == len(out.cells) else "review")


def acro_results(chk: Checker, files: Mapping[str, str] | None = None) -> dict:
    """The checker's record in ACRO's ``results.json`` layout (``acro.record.Records.finalise_json``), which
    the SACRO viewer opens: one result per output with its status, type, properties, the released table's
    file with the cells each rule withheld (``sdc.cells``: row and column positions), ``outcome`` (each
    cell's ``ok`` or rules), a summary and comments giving the reason in words. No counts are in it (they
    stay in ``record.json``); ``files`` maps an output's name to the file holding its released table."""
    files = dict(files or {})
    now = datetime.datetime.now(datetime.UTC).isoformat()
    results = {}
    for i, out in enumerate(o for o in chk.outputs.values() if o.reasons is not None):
        uid = f"output_{i}"
        results[uid] = _acro_result(uid, out, chk, files.get(out.name, f"{uid}.csv"), now)
    return {"version": ACRO_FORMAT_VERSION, "producer": "movers.sdc", "results": results}


def _acro_cells(reasons: pd.DataFrame) -> tuple[dict[str, list], dict[str, list]]:
    """The withheld cells of an output by (row, column) position: under ACRO's flags (``sdc.cells``) and under
    every rule of ``movers.sdc`` (``movers_cells``)."""
    cells: dict[str, list] = {
        flag: [] for flag in ("negative", "missing", "threshold", "p-ratio", "nk-rule", "all-values-are-same")
    }
    movers_cells: dict[str, list] = {}
    for x, r in enumerate(reasons.index):
        for y, c in enumerate(reasons.columns):
            rule = reasons.loc[r, c]
            if rule:
                movers_cells.setdefault(rule, []).append([x, y])
                if rule in _ACRO_FLAGS:
                    cells[_ACRO_FLAGS[rule]].append([x, y])
    return cells, movers_cells


def _acro_result(uid: str, out: Output, chk: Checker, file: str, now: str) -> dict:
    """One output as an entry of ACRO's ``results``: status, type, properties, file with its withheld cells,
    each cell's outcome, summary and comments."""
    reasons = out.reasons.astype(str)
    cells, movers_cells = _acro_cells(reasons)
    status = acro_status(out)
    rules_hit = sorted(movers_cells)
    dof = next((c["detail"] for c in out.cells if c["detail"].startswith("residual df")), None)
    return {
        "uid": uid,
        "status": status,
        "type": "regression" if out.kind == "regression" else "table",
        "properties": {"method": out.kind, "output": out.name, "chapter": chk.chapter}
        | ({"dof": dof.split(";")[0].removeprefix("residual df ").strip()} if dof else {}),
        "files": [
            {
                "name": file,
                "sdc": {
                    "summary": {"suppressed": status != "pass", **{k: len(v) for k, v in cells.items()}},
                    "cells": cells,
                    "movers_cells": movers_cells,  # every rule of movers.sdc, ACRO's names or not
                },
            }
        ],
        "outcome": {
            str(c): {str(r): ("ok" if not reasons.loc[r, c] else f"{reasons.loc[r, c]}; ") for r in reasons.index}
            for c in reasons.columns
        },
        "command": f"movers.sdc.checker.Checker: {out.kind} {out.name!r}",
        "summary": status + "".join(f"; {rule}: {len(movers_cells[rule])} cells suppressed" for rule in rules_hit),
        "timestamp": now,
        "comments": [f"{rule}: {REASONS.get(rule, rule)}" for rule in rules_hit] + chk.rules.describe(out.rules),
        "exception": "",
    }


def write_acro(chk: Checker, folder: Path) -> Path:
    """``folder/results.json`` in ACRO's layout, the released table of each output as ``output_<n>.csv``
    (withheld cells ``[c]``), and ``checksums/<file>.txt`` (SHA-256), as ACRO's ``finalise`` leaves an
    output folder: what an output checker opens in the SACRO viewer."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in [*folder.glob("output_*.csv"), *folder.glob("checksums/*.txt")]:
        old.unlink()
    names = {}
    for i, out in enumerate(o for o in chk.outputs.values() if o.reasons is not None):
        names[out.name] = f"output_{i}.csv"
        shown = out.released if isinstance(out.released, pd.DataFrame) else pd.DataFrame(out.released)
        shown = shown.loc[[r for r in shown.index if r in out.reasons.index]]  # not the page counts' implied differences
        shown = shown.astype(object).where(~shown.isna(), SUPPRESSED) if out.kind == "regression" else shown
        write_atomic(folder / names[out.name], shown.to_csv())
    write_atomic(folder / "results.json", json.dumps(acro_results(chk, names), indent=1, default=str))
    sums = folder / "checksums"
    sums.mkdir(exist_ok=True)
    for f in sorted(folder.iterdir()):
        if f.is_file():
            write_atomic(sums / f"{f.name}.txt", hashlib.sha256(f.read_bytes()).hexdigest())
    return folder / "results.json"
