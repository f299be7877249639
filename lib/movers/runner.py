"""Execute chapters with papermill: parameters checked, outputs cached by an input hash, failures loud.

A chapter is executed from its jupytext source into
``_build/src/chapters/<name>.ipynb``. The executed notebook records its
parameters and an *input hash* (chapter text, parameters, the ``movers``
package source and the data folder's fingerprint). A later run with the same
hash is skipped, and the book build refuses notebooks whose hash no longer
matches (stale output is never rebuilt silently).
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Mapping

import nbformat
import yaml

from movers import params as P
from movers import paths, publish
from movers.errors import InputError

EXECUTED = paths.BUILD / "src" / "chapters"
FAILED = paths.BUILD / "failed"
HIDE_TAG = "remove-cell"
# modules that run or build chapters but cannot change what a chapter computes: not part of the input hash
INFRASTRUCTURE = {"runner.py", "book.py", "cli.py", "__main__.py", "fetch.py"}


class ChapterFailed(RuntimeError):
    """A chapter's notebook raised: the message names the chapter, the cell and the error."""


@dataclass
class RunResult:
    chapter: str
    path: Path
    cached: bool
    seconds: float
    input_hash: str


def chapter_source(name: str) -> Path:
    """Path of a chapter's jupytext source; the error lists the chapters that exist."""
    path = paths.CHAPTERS / f"{name}.md"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in paths.CHAPTERS.glob("*.md")))
        raise InputError(path, f"no chapter {name!r}; chapters: {known}")
    return path


def toc_chapters(toc: Path | None = None) -> list[str]:
    """Chapter names listed in ``_toc.yml``, in book order."""
    data = yaml.safe_load(Path(toc or paths.ROOT / "_toc.yml").read_text()) or {}
    names: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            f = node.get("file")
            if isinstance(f, str) and f.startswith("chapters/"):
                names.append(Path(f).stem)
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(data.get("parts") or data.get("chapters") or [])
    return names


def _hash_files(h, files) -> None:
    for f in files:
        h.update(str(f).encode())
        h.update(Path(f).read_bytes())


def data_fingerprint(prm: Mapping) -> str:
    """Fingerprint of the chapter's input folder: the synthetic world's manifest, else file names, sizes and times."""
    try:
        folder = paths.data_dir(prm.get("source", "synthetic"), prm.get("data_path") or None)
    except InputError as exc:
        return f"unavailable: {exc}"
    world = folder / "world.json"
    if world.exists():
        return hashlib.sha256(world.read_bytes()).hexdigest()
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            st = p.stat()
            h.update(f"{p.relative_to(folder)}|{st.st_size}|{int(st.st_mtime)}".encode())
    return h.hexdigest()


def input_hash(name: str, prm: Mapping) -> str:
    """Hash of everything an executed chapter depends on."""
    h = hashlib.sha256()
    h.update(chapter_source(name).read_bytes())
    h.update(json.dumps(prm, sort_keys=True, default=str).encode())
    _hash_files(h, sorted(p for p in (paths.ROOT / "lib" / "movers").rglob("*.py") if p.name not in INFRASTRUCTURE or p.parent.name != "movers"))
    for extra in ("reference", "classifications", "dictionaries"):
        folder = paths.DATA / extra
        if folder.exists():
            _hash_files(h, sorted(p for p in folder.rglob("*") if p.is_file()))
    h.update(data_fingerprint(prm).encode())
    return h.hexdigest()


def declared_parameters(nb) -> dict:
    """Names assigned in the notebook's ``parameters`` cell (its defaults, evaluated literally)."""
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            out = {}
            for node in ast.parse(cell.source).body:
                if isinstance(node, ast.Assign):
                    for t in node.targets:
                        if isinstance(t, ast.Name):
                            try:
                                out[t.id] = ast.literal_eval(node.value)
                            except ValueError:
                                out[t.id] = None
            return out
    return {}


def check_declared(name: str, nb, prm: Mapping) -> None:
    """Every parameter of ``params/<name>.yml`` must be declared in the chapter's parameters cell, and vice versa."""
    declared = declared_parameters(nb)
    if not declared:
        raise InputError(chapter_source(name), "has no code cell tagged 'parameters'")
    missing = sorted(set(prm) - set(declared))
    extra = sorted(set(declared) - set(prm))
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"params/{name}.yml sets {', '.join(missing)} which the parameters cell does not declare")
        if extra:
            parts.append(f"the parameters cell declares {', '.join(extra)} which params/{name}.yml lacks")
        raise InputError(chapter_source(name), "; ".join(parts))


def _params_cell(prm: Mapping, digest: str, name: str = "<chapter>") -> nbformat.NotebookNode:
    """The "Parameters of this run" box: values, the exact command, commit and package versions (movers.publish)."""
    defaults = P.defaults(name)[0] if (paths.PARAMS / f"{name}.yml").exists() else {}
    cell = nbformat.v4.new_markdown_cell(publish.params_markdown(name, prm, digest, defaults))
    cell.metadata["tags"] = ["movers-parameters"]
    return cell


def _finalise(nb, name: str, prm: Mapping, digest: str, seconds: float):
    """Hide the parameters cells, show the parameters used, and record provenance in the metadata."""
    insert_at = 0
    for i, cell in enumerate(nb.cells):
        tags = cell.get("metadata", {}).get("tags", [])
        if "parameters" in tags or "injected-parameters" in tags:
            if HIDE_TAG not in tags:
                cell.metadata.setdefault("tags", []).append(HIDE_TAG)
            insert_at = i + 1
    nb.cells.insert(insert_at, _params_cell(prm, digest, name))
    nb.metadata["movers"] = {
        "chapter": name,
        "parameters": dict(prm),
        "input_hash": digest,
        "executed": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "seconds": round(seconds, 2),
    }
    return nb


def executed_path(name: str) -> Path:
    return EXECUTED / f"{name}.ipynb"


def recorded(path: Path) -> dict:
    """The provenance block of an executed notebook ({} when absent or unreadable)."""
    try:
        return nbformat.read(path, as_version=4).metadata.get("movers", {})
    except Exception:
        return {}


def run_chapter(name: str, prm: Mapping, force: bool = False, progress: bool = False, log=None) -> RunResult:
    """Execute one chapter with papermill unless its cached output is current."""
    import jupytext
    import papermill as pm

    log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    src = chapter_source(name)
    nb = jupytext.read(src)
    check_declared(name, nb, prm)
    digest = input_hash(name, prm)
    out = executed_path(name)
    if not force and out.exists() and recorded(out).get("input_hash") == digest:
        return RunResult(name, out, True, 0.0, digest)
    EXECUTED.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".running.ipynb")
    t0 = time.perf_counter()
    try:
        pm.execute_notebook(
            nb,
            str(tmp),
            parameters=dict(prm),
            kernel_name="python3",
            cwd=str(paths.ROOT),
            progress_bar=progress,
            log_output=False,
            report_mode=False,
            extra_arguments=["--IPKernelApp.log_level=ERROR"],  # silence the kernel's TCP notice
        )
    except pm.PapermillExecutionError as exc:
        FAILED.mkdir(parents=True, exist_ok=True)
        if tmp.exists():
            os.replace(tmp, FAILED / f"{name}.ipynb")
        if out.exists():
            out.unlink()  # never leave an older, now-invalid output looking current
        raise ChapterFailed(f"chapter {name!r} failed in cell {exc.exec_count}: {exc.ename}: {exc.evalue} (executed notebook kept in {FAILED / (name + '.ipynb')})") from None
    except BaseException:
        if tmp.exists():
            tmp.unlink()
        raise
    seconds = time.perf_counter() - t0
    done = _finalise(nbformat.read(tmp, as_version=4), name, prm, digest, seconds)
    nbformat.write(done, tmp)
    os.replace(tmp, out)
    return RunResult(name, out, False, seconds, digest)


def plan(names: list[str] | None, overrides: Mapping, scenario: str | None) -> dict[str, dict]:
    """Resolve the parameters of each chapter to run.

    An override applies to every selected chapter that has that parameter; a
    name no selected chapter has is an error (most likely a typo).
    """
    names = names or toc_chapters()
    for n in names:
        chapter_source(n)
    resolved = {}
    used = set()
    for n in names:
        base, _ = P.defaults(n)
        mine = {k: v for k, v in overrides.items() if k in base}
        used |= set(mine)
        resolved[n] = P.resolve(n, mine, scenario)
    unknown = set(overrides) - used
    if unknown:
        valid = sorted({k for n in names for k in P.defaults(n)[0]})
        raise InputError("command line", f"no selected chapter has parameter(s) {', '.join(sorted(unknown))}; valid: {', '.join(valid)}")
    return resolved


def blas_threads(jobs: int, env=os.environ) -> int:
    """Give each of ``jobs`` concurrent kernels cores // jobs BLAS threads (at least one).

    Why: every kernel's OpenBLAS otherwise starts one thread per core, so two
    kernels on two cores fight over them (two concurrent Table 7 model sets took
    76 s so, 21 s with one thread each). Kernels inherit ``env``; a thread count
    the user has set already is kept. Returns the count used.
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    n = max(1, cores // max(1, jobs))
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, str(n))
    return n


def run(names: list[str] | None = None, overrides: Mapping | None = None, scenario: str | None = None, jobs: int = 1, force: bool = False) -> list[RunResult]:
    """Run chapters (all of ``_toc.yml`` by default), ``jobs`` at a time, printing progress."""
    todo = plan(names, overrides or {}, scenario)
    blas_threads(jobs)
    results: list[RunResult] = []
    errors: list[str] = []
    total = len(todo)
    t0 = time.perf_counter()

    lock = threading.Lock()

    def say(msg):  # one write per line under a lock: parallel chapters must not interleave their lines
        with lock:
            sys.stderr.write(msg + "\n")
            sys.stderr.flush()

    def one(n):
        say(f"  start {n}")
        return run_chapter(n, todo[n], force=force, progress=(jobs == 1 and sys.stderr.isatty()))

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(one, n): n for n in todo}
        for fut in as_completed(futures):
            n = futures[fut]
            try:
                r = fut.result()
            except (ChapterFailed, InputError) as exc:
                errors.append(str(exc))
                say(f"[{len(results) + len(errors)}/{total}] FAILED {n}: {exc}")
                continue
            results.append(r)
            state = "cached" if r.cached else f"executed in {r.seconds:.1f} s"
            say(f"[{len(results) + len(errors)}/{total}] {n}: {state}")
    say(f"{len(results)} chapter(s) ready, {len(errors)} failed, {time.perf_counter() - t0:.1f} s")
    if errors:
        raise ChapterFailed("\n".join(errors))
    return results


def stale(names: list[str]) -> list[str]:
    """Chapters whose executed notebook is missing or was computed from other inputs than the current ones."""
    out = []
    for n in names:
        path = executed_path(n)
        meta = recorded(path) if path.exists() else {}
        if not meta or input_hash(n, meta.get("parameters", {})) != meta.get("input_hash"):
            out.append(n)
    return out
