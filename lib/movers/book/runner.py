"""Execute chapters with papermill: parameters checked, outputs cached by an input hash, failures loud.

A chapter is executed from its jupytext source into
``_build/src/chapters/<name>.ipynb``. The executed notebook records its
parameters and an *input hash* over everything it reads: the chapter text, its
parameters, the ``movers`` package source, the versions of the pinned
dependencies, the project's reference tables, dictionaries and rules, and the
*contents* of the datasets it declares in ``_reads`` of ``params/<name>.yml``
(plus ``aux_path`` and ``dictionary`` files given as parameters). Every path in
the hash is relative (to the project, package or dataset folder), so moving the
checkout keeps the cache, and each dataset has its own digest, so regenerating
one dataset re-executes only the chapters that read it. File contents are
hashed once and remembered by size, modification and change time
(``_build/cache/file-hashes.json``); an edit in place changes the change time
even when the size and modification time are put back.

A later run with the same hash is skipped; the book build refuses notebooks
whose hash no longer matches. A failed run keeps the last good output, marked
stale (it no longer answers the question asked), and says which command
repeats the run. Ctrl-C or SIGTERM kills the running kernels at once: nothing
half-written is left, and the outputs already there stay as they were.
"""

from __future__ import annotations

import ast
import contextlib
import fcntl
import hashlib
import importlib.metadata
import json
import logging
import os
import re
import shlex
import signal
import sys
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import nbformat

from movers import fetch
from movers.book import params as P, publish
from movers.core import config as yamlfile, paths
from movers.core.errors import InputError
from movers.data import manifest as manifests
from movers.pages import report
from movers.sdc import record as sdc_record, redact

HIDE_TAG = "remove-cell"
STALE_TAG = "movers-stale"
# modules that run or build chapters but cannot change what a chapter computes: not part of the input hash
# (paths relative to the package; chapters find their open files through core.paths, never through fetch)
INFRASTRUCTURE = {"book/runner.py", "book/build.py", "cli.py", "__main__.py", "fetch/__init__.py", "book/apidoc.py"}
# project files every chapter may read, hashed for every chapter (relative to data/)
SHARED_INPUTS = ("reference", "classifications", "dictionaries", "sdc_rules.yml")
PATH_PARAMETERS = P.PATH_PARAMETERS
CANCEL = threading.Event()  # set by Ctrl-C / SIGTERM: running kernels are killed, waiting chapters skipped


class ChapterFailed(RuntimeError):
    """A chapter's notebook raised or its kernel died: the message names the chapter, the cell and the error."""


class Cancelled(RuntimeError):
    """The run was interrupted (Ctrl-C, SIGTERM); outputs already present were left as they were."""


@dataclass
class RunResult:
    chapter: str
    path: Path
    cached: bool
    seconds: float
    input_hash: str
    missing_data: bool = False  # open data absent: the page names what to fetch, nothing was computed


def executed_dir() -> Path:
    return paths.BUILD / "src" / "chapters"


def failed_dir() -> Path:
    return paths.BUILD / "failed"


def running_dir() -> Path:
    """Scratch folder of notebooks being executed (``<chapter>.<pid>.ipynb``), outside the staged book."""
    return paths.BUILD / "running"


def chapter_source(name: str) -> Path:
    """Path of a chapter's jupytext source; the error lists the chapters that exist."""
    path = paths.CHAPTERS / f"{name}.md"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in paths.CHAPTERS.glob("*.md")))
        raise InputError(path, f"no chapter {name!r}; chapters: {known or 'none (is this the project folder? see MOVERS_ROOT)'}")
    return path


def toc_chapters(toc: Path | None = None) -> list[str]:
    """Chapter names listed in ``_toc.yml``, in book order."""
    toc = Path(toc or paths.ROOT / "_toc.yml")
    if not toc.exists():
        raise InputError(toc, "not found: run from the project folder or set MOVERS_ROOT")
    data = yamlfile.read(toc, empty={})
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


# ----------------------------------------------------------------------------- content hashes


class _ContentIndex:
    """sha256 of files, remembered by (size, mtime, ctime, inode) so unchanged files are not re-read."""

    def __init__(self):
        self.lock = threading.Lock()
        self.path: Path | None = None
        self.entries: dict[str, list] = {}
        self.dirty = False

    def _load(self):
        path = paths.BUILD / "cache" / "file-hashes.json"
        if path != self.path:
            self.path, self.entries = path, {}
            try:
                self.entries = json.loads(path.read_text())
            except (OSError, ValueError):
                pass

    def file(self, p: Path) -> str:
        st = p.stat()
        key = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
        with self.lock:
            self._load()
            rec = self.entries.get(str(p))
            if rec and rec[:4] == key:
                return rec[4]
        h = hashlib.sha256()
        with open(p, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        digest = h.hexdigest()
        with self.lock:
            self.entries[str(p)] = [*key, digest]
            self.dirty = True
        return digest

    def save(self):
        with self.lock:
            if not self.dirty or self.path is None:
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.{threading.get_ident()}")
            tmp.write_text(json.dumps(self.entries))
            os.replace(tmp, self.path)
            self.dirty = False


INDEX = _ContentIndex()


def content_digest(path: Path, skip: tuple[str, ...] = ()) -> str:
    """Digest of a file's bytes, or of a folder's files (relative names and bytes; ``skip``: top-level names)."""
    path = Path(path)
    if path.is_file():
        return INDEX.file(path)
    if not path.is_dir():
        return f"missing: {path.name}"
    h = hashlib.sha256()
    for p in sorted(path.rglob("*")):
        rel = p.relative_to(path)
        if p.is_file() and rel.parts[0] not in skip and "__pycache__" not in rel.parts:
            h.update(f"{rel.as_posix()}\0{INDEX.file(p)}\n".encode())
    return h.hexdigest()


def _under_root(value: str) -> Path:
    p = Path(value).expanduser()
    return p if p.is_absolute() else paths.ROOT / p


def _default_folder(source: str) -> Path | None:
    """The folder a chapter with an empty ``data_path`` reads (``paths.data_dir``; for open data the one
    resolver, ``paths.open_data_root``, which the chapters call too); ``None`` when there is none."""
    try:
        return paths.data_dir(source)
    except InputError:
        return None


def open_data_missing(name: str, prm: Mapping) -> list[str]:
    """For a chapter run on open data (``source: public``), one line per input it lacks (``fetch.missing_inputs``:
    the dataset and the ``fetch`` command); empty when every input is there or the source is not open data."""
    if prm.get("source") != "public":
        return []
    return fetch.missing_inputs(name, fetch.expected_root(prm.get("data_path") or ""))


def missing_data_page(name: str, nb, missing: list[str]):
    """The page a chapter on open data gets when its inputs are not on this machine: its title, what is
    missing and the commands that fetch it, and no number (never a synthetic page under a real-data title).
    Returns the page and, apart, its title cell (put first once the parameters box is added)."""
    title = next(
        (line for c in nb.cells if c.cell_type == "markdown" for line in c.source.splitlines() if line.startswith("# ")),
        f"# {name}",
    )
    items = "\n".join(f"* {line.split(': ', 1)[-1]}" for line in missing)
    text = (
        ":::{admonition} Open data not found\n:class: warning\n\n"
        f"This chapter is computed from open data only, and this build did not find the files below, so it was "
        f"not computed and this page shows no result. Missing:\n\n{items}\n\n"
        f"Fetch them (`python -m movers fetch`, or pass `-p data_path=<folder of the open files>`), then run "
        f"`python -m movers run {name}` and `python -m movers build`.\n:::\n"
    )
    page = nbformat.v4.new_notebook(metadata=nb.metadata)
    page.cells = [nbformat.v4.new_markdown_cell(text)]
    return page, nbformat.v4.new_markdown_cell(title)


def data_inputs(name: str, prm: Mapping) -> dict[str, Path | None]:
    """The files and folders a chapter reads, by label (``data_path:flows``, ``aux_path:nomis``, ``dictionary``).

    ``_reads`` in ``params/<name>.yml`` maps a path parameter to the datasets read under it. An empty
    ``data_path`` means the source's default folder; an empty ``aux_path`` the data folder for synthetic
    data, else the public download (as the loaders do). A dataset without its own sub-folder (a flat
    download) stands for the whole folder, and so does the data folder of a chapter without ``_reads``.
    A chapter that open data sets of ``data/datasets.yml`` name reads open files whatever its source (the
    real GVA of Table 6): on other data, the folder of open files (``paths.open_data_root``) is hashed too
    (``open:*``)."""
    reads = P.load(name)[1]["_reads"]
    source = prm.get("source", "synthetic")
    data_root = _under_root(prm["data_path"]) if prm.get("data_path") else _default_folder(source)
    out: dict[str, Path | None] = {}
    for key, datasets in reads.items():
        if prm.get(key):
            root = _under_root(prm[key])
        elif key == "data_path" or source == "synthetic":
            root = data_root
        else:
            root = _default_folder("public")
        for ds in datasets:
            if root is not None and (root / ds).is_dir():
                out[f"{key}:{ds}"] = root / ds
            else:
                out[f"{key}:*"] = root
    if "data_path" in prm and "data_path" not in reads:  # undeclared: the whole data folder (safe, if coarse)
        out["data_path:*"] = data_root
    open_root = _default_folder("public")
    if source != "public" and open_root is not None and manifests.read_by(name):  # open files beside other data
        out["open:*"] = open_root
    for key in PATH_PARAMETERS:
        if prm.get(key) and key not in reads and key != "data_path":
            out[key] = _under_root(prm[key])
    return out


def package_versions() -> str:
    """``name==version`` of each package pinned in ``requirements.lock`` (and Python's own version), as
    installed: an upgrade of any of them re-executes the chapters."""
    names = []
    for req in (paths.ROOT / "requirements.lock", paths.ROOT / "requirements.txt"):
        if not req.exists():
            continue
        for line in req.read_text().splitlines():
            m = re.match(r"\s*([A-Za-z0-9_.\-]+)\s*(==|>=|<=|~=|$)", line)
            if m and not line.lstrip().startswith(("#", "-")):
                names.append(m.group(1))
    out = [f"python=={sys.version_info.major}.{sys.version_info.minor}.{sys.version_info.micro}"]
    for n in sorted(set(names)):
        try:
            out.append(f"{n}=={importlib.metadata.version(n)}")
        except importlib.metadata.PackageNotFoundError:
            out.append(f"{n}==absent")
    return "\n".join(out)


def _package_digest() -> str:
    pkg = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for p in sorted(pkg.rglob("*.py")):
        rel = p.relative_to(pkg)
        if "__pycache__" in rel.parts or rel.as_posix() in INFRASTRUCTURE:
            continue
        h.update(f"{rel.as_posix()}\0{INDEX.file(p)}\n".encode())
    return h.hexdigest()


def inputs(name: str, prm: Mapping) -> dict[str, str]:
    """Digest of each input of a chapter, by label (recorded in the notebook, so a stale page can say what changed)."""
    out = {
        "chapter": INDEX.file(chapter_source(name)),
        "parameters": hashlib.sha256(json.dumps(prm, sort_keys=True, default=str).encode()).hexdigest(),
        "package": _package_digest(),
        "versions": hashlib.sha256(package_versions().encode()).hexdigest(),
    }
    for extra in SHARED_INPUTS:
        out[f"data/{extra}"] = content_digest(paths.DATA / extra)
    for label, where in data_inputs(name, prm).items():
        out[label] = content_digest(where, skip=("world.json",)) if where is not None else "unavailable"
    INDEX.save()
    return out


def digest_of(parts: Mapping[str, str]) -> str:
    return hashlib.sha256(json.dumps(dict(parts), sort_keys=True).encode()).hexdigest()


def input_hash(name: str, prm: Mapping) -> str:
    """Hash of everything an executed chapter depends on."""
    return digest_of(inputs(name, prm))


# ----------------------------------------------------------------------------- notebooks


def declared_parameters(nb) -> dict:
    """Names assigned in the notebook's ``parameters`` cell (its defaults, evaluated literally)."""
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            out = {}
            for node in ast.parse(cell.source).body:
                if isinstance(node, ast.Assign):
                    for t in node.targets:
                        pairs = [(t, node.value)]
                        if isinstance(t, ast.Tuple) and isinstance(node.value, ast.Tuple) and len(t.elts) == len(node.value.elts):
                            pairs = list(zip(t.elts, node.value.elts))  # a, b = 1, 2 declares both
                        for name, value in pairs:
                            if isinstance(name, ast.Name):
                                try:
                                    out[name.id] = ast.literal_eval(value)
                                except ValueError:
                                    out[name.id] = None
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
    """The "Parameters of this run" box: values, the exact command, commit and package versions (movers.book.publish)."""
    defaults = P.defaults(name)[0] if (paths.PARAMS / f"{name}.yml").exists() else {}
    cell = nbformat.v4.new_markdown_cell(publish.params_markdown(name, redact.redact_params(prm), digest, defaults))
    cell.metadata["tags"] = ["movers-parameters"]
    return cell


def _finalise(nb, name: str, prm: Mapping, digest: str, seconds: float, parts: Mapping[str, str] | None = None):
    """Hide the parameters cells, show the parameters used, and record provenance in the metadata."""
    insert_at = 0
    for i, cell in enumerate(nb.cells):
        tags = cell.get("metadata", {}).get("tags", [])
        if "parameters" in tags or "injected-parameters" in tags:
            if HIDE_TAG not in tags:
                cell.metadata.setdefault("tags", []).append(HIDE_TAG)
            insert_at = i + 1
    nb.cells.insert(insert_at, _params_cell(prm, digest, name))
    private = redact.redact_params(prm) != dict(prm)
    if private:  # a restricted run's secure paths stay beside the book, never in the notebook a reader downloads
        _private_parameters(name).parent.mkdir(parents=True, exist_ok=True)
        _private_parameters(name).write_text(json.dumps(dict(prm), default=str))
    else:
        _private_parameters(name).unlink(missing_ok=True)
    nb.metadata["movers"] = {
        "chapter": name,
        "parameters": redact.redact_params(prm),
        "private_parameters": private,
        "input_hash": digest,
        "inputs": dict(parts or {}),
        "executed": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(seconds, 2),
    }
    if prm.get("source", "synthetic") == "synthetic":  # the world's seed, scale and age, in the banner
        nb.metadata["movers"]["world"] = _world(name, prm)
        publish.mark_world(nb, nb.metadata["movers"]["world"])
    return nb


def _world(name: str, prm: Mapping) -> dict | None:
    """Seed, scale and generation time of the synthetic datasets the chapter read (None without ``_reads``)."""
    try:
        return publish.world_facts(data_inputs(name, prm).values())
    except (InputError, KeyError):
        return None


def executed_path(name: str) -> Path:
    return executed_dir() / f"{name}.ipynb"


def _private_parameters(name: str) -> Path:
    """Where a restricted run's real parameters (secure paths) are kept: beside the book, with the checker's files."""
    return paths.BUILD / "output_checking" / name / "parameters.json"


def recorded(path: Path) -> dict:
    """The provenance block of an executed notebook ({} when absent or unreadable); a restricted run's
    redacted parameters are replaced by the real ones kept beside the book, so staleness is judged on them."""
    try:
        meta = dict(nbformat.read(path, as_version=4).metadata.get("movers", {}))
    except Exception:
        return {}
    if meta.get("private_parameters"):
        try:
            meta["parameters"] = json.loads(_private_parameters(meta.get("chapter", path.stem)).read_text())
        except (OSError, ValueError):
            meta["parameters"] = {}  # the real parameters are gone: the page cannot be shown to be current
    return meta


def _write_atomic(nb, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        nbformat.write(nb, tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def rerun_command(name: str, prm: Mapping) -> str:
    """The command that repeats a run with these parameters (only those that differ from the defaults)."""
    try:
        base = P.load(name)[0]
    except InputError:
        base = {}
    words = ["python", "-m", "movers", "run", name]
    for k, v in redact.redact_params(prm).items():
        if k in base and base[k] == v:
            continue
        text = json.dumps(v) if isinstance(v, (list, dict)) else ("true" if v is True else "false" if v is False else str(v))
        words += ["-p", f"{k}={text}"]
    return " ".join(shlex.quote(w) for w in words)


def mark_failed(path: Path, prm: Mapping, error: str) -> None:
    """Record in the last good output that a later run (with ``prm``) failed: the page is stale from now on."""
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception:
        return
    nb.metadata.setdefault("movers", {})["failed_run"] = {
        "parameters": dict(prm),
        "error": error,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    _write_atomic(nb, path)


def why_stale(name: str) -> list[str]:
    """Why a chapter's executed output is not current ([] when it is): missing, a failed later run, or the inputs that changed."""
    path = executed_path(name)
    meta = recorded(path) if path.exists() else {}
    if not meta:
        return ["no executed output"]
    if meta.get("failed_run"):
        return [f"a later run failed ({meta['failed_run'].get('when', '')})"]
    try:
        now = inputs(name, meta.get("parameters", {}))
    except InputError as exc:
        return [f"its inputs cannot be read ({exc})"]
    if digest_of(now) == meta.get("input_hash"):
        return []
    before = meta.get("inputs") or {}
    changed = sorted(k for k in set(now) | set(before) if now.get(k) != before.get(k)) if before else []
    return [f"changed: {', '.join(changed)}"] if changed else ["its inputs changed"]


def stale(names: list[str]) -> list[str]:
    """Chapters whose executed notebook is missing, was superseded by a failed run, or was computed from other inputs."""
    return [n for n in names if why_stale(n)]


def stale_message(names: list[str]) -> str:
    """What the book build says about stale chapters: why, and the command that refreshes each (its recorded parameters)."""
    lines = []
    for n in names:
        meta = recorded(executed_path(n))
        prm = (meta.get("failed_run") or {}).get("parameters") or meta.get("parameters") or {}
        lines.append(f"  {n}: {'; '.join(why_stale(n))}; run `{rerun_command(n, prm)}`")
    return (
        "executed output is missing or out of date:\n"
        + "\n".join(lines)
        + "\n(or build with --allow-stale: stale pages are marked)"
    )


def mark_stale_pages(names: list[str]) -> list[str]:
    """Put a warning at the top of each stale page (and take it off pages that are current again); return the stale ones."""
    marked = []
    for n in names:
        path = executed_path(n)
        if not path.exists():
            continue
        why = why_stale(n)
        nb = nbformat.read(path, as_version=4)
        had = [c for c in nb.cells if STALE_TAG in c.get("metadata", {}).get("tags", [])]
        nb.cells = [c for c in nb.cells if c not in had]
        if why:
            meta = nb.metadata.get("movers", {})
            prm = (meta.get("failed_run") or {}).get("parameters") or meta.get("parameters") or {}
            cell = nbformat.v4.new_markdown_cell(
                ":::{warning} Stale page\nThis page was computed from other inputs than the current ones "
                f"({'; '.join(why)}), on {meta.get('executed', 'an earlier run')}. Its numbers may not match the data, "
                f"parameters or code of this book. Refresh it with `{rerun_command(n, prm)}`.\n:::"
            )
            cell.metadata["tags"] = [STALE_TAG]
            nb.cells.insert(0, cell)
            marked.append(n)
        if had or why:
            _write_atomic(nb, path)
    return marked


# ----------------------------------------------------------------------------- kernels that can be stopped

_KERNELS: dict[int, object] = {}
_KERNELS_LOCK = threading.Lock()


def _kernel_manager_class():
    """An AsyncKernelManager that registers itself, so Ctrl-C can kill the kernel it started."""
    from jupyter_client import AsyncKernelManager

    class TrackedKernelManager(AsyncKernelManager):
        async def start_kernel(self, **kw):
            with _KERNELS_LOCK:
                _KERNELS[id(self)] = self
            await super().start_kernel(**kw)
            if CANCEL.is_set():
                _kill(self)

        async def _async_interrupt_kernel(self):
            # jupyter_client interrupts a kernel before every shutdown; an idle kernel then only logs
            # "KeyboardInterrupt caught in kernel" into the run's output. A chapter that finished needs no
            # interrupt, and a cancelled run kills its kernels (``_kill``), so the shutdown's is skipped.
            if self.shutting_down:
                return None
            return await super()._async_interrupt_kernel()

        async def shutdown_kernel(self, *a, **kw):
            try:
                return await super().shutdown_kernel(*a, **kw)
            finally:
                with _KERNELS_LOCK:
                    _KERNELS.pop(id(self), None)

    return TrackedKernelManager


def _kill(km) -> None:
    pid = getattr(getattr(km, "provisioner", None), "pid", None)
    if not pid:
        return
    try:
        os.killpg(pid, signal.SIGKILL)  # the kernel runs in its own session: its group holds its children too
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def cancel() -> None:
    """Stop everything: waiting chapters are skipped and running kernels killed (their chapters end within seconds)."""
    CANCEL.set()
    with _KERNELS_LOCK:
        kms = list(_KERNELS.values())
    for km in kms:
        _kill(km)


def sweep_scratch() -> list[Path]:
    """Remove notebooks left by runs that no longer exist (a SIGKILL cannot clean up after itself)."""
    removed = []
    for p in list(running_dir().glob("*.ipynb")) + list(executed_dir().glob("*.running.ipynb")):
        m = re.match(r".*\.(\d+)\.ipynb$", p.name)
        pid = int(m.group(1)) if m else None
        alive = False
        if pid and pid != os.getpid():
            try:
                os.kill(pid, 0)
                alive = True
            except ProcessLookupError:
                alive = False
            except PermissionError:
                alive = True
        if not alive and (pid != os.getpid() or p.parent != running_dir()):
            p.unlink(missing_ok=True)
            removed.append(p)
    return removed


def _describe_failure(exc: BaseException) -> str:
    import papermill as pm

    if isinstance(exc, pm.PapermillExecutionError):
        return f"cell {exc.exec_count} raised {exc.ename}: {exc.evalue}"
    if type(exc).__name__ == "DeadKernelError" or "Kernel died" in str(exc):
        return "the kernel died (killed, or out of memory) while executing"
    return f"{type(exc).__name__}: {exc}"


def _secrets(prm: Mapping) -> list[str]:
    return [str(prm[k]) for k in PATH_PARAMETERS if prm.get(k)]


@contextlib.contextmanager
def chapter_lock(name: str):
    """One run of a chapter at a time, across processes: an exclusive lock on ``_build/locks/<name>.lock``
    (released by the system if the process dies; the file stays, since removing a lock file races a
    process about to open it). A second run of the same chapter stops at once naming the process that
    holds it, instead of clearing the first one's checker record and racing it to the output."""
    folder = paths.BUILD / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.lock"
    fh = open(path, "a+", encoding="utf-8")  # noqa: SIM115 (held for the whole run)
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            raise ChapterFailed(
                f"chapter {name!r} is already being run (by {holder}); wait for that run to finish, or stop it, then run again"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"process {os.getpid()}")
        fh.flush()
        yield path
    finally:
        fh.close()


def run_chapter(name: str, prm: Mapping, force: bool = False, progress: bool = False, log=None) -> RunResult:
    """Execute one chapter with papermill unless its cached output is current, holding ``chapter_lock``.

    The notebook runs into a scratch file of ``_build/running``; only a finished run replaces the output.
    A failure keeps the previous output, marked stale, and copies the failed notebook to ``_build/failed``
    (scrubbed of paths and identifiers for restricted data); a cancelled run leaves everything as it was."""
    with chapter_lock(name):
        return _run_chapter(name, prm, force, progress)


def _run_chapter(name: str, prm: Mapping, force: bool = False, progress: bool = False) -> RunResult:
    import jupytext
    import papermill as pm

    src = chapter_source(name)
    nb = jupytext.read(src)
    check_declared(name, nb, prm)
    parts = inputs(name, prm)
    digest = digest_of(parts)
    out = executed_path(name)
    if not force and out.exists() and recorded(out).get("input_hash") == digest and not recorded(out).get("failed_run"):
        return RunResult(name, out, True, 0.0, digest)
    if CANCEL.is_set():
        raise Cancelled(f"{name}: not started (cancelled)")
    missing = open_data_missing(name, prm)
    if missing:  # open data absent: an honest page naming what to fetch, never a run on other data
        page, title = missing_data_page(name, nb, missing)
        done = _finalise(page, name, prm, digest, 0.0, parts)
        done.cells.insert(0, title)  # the title first, the parameters box under it
        done.metadata["movers"]["missing_inputs"] = missing
        for line in missing:
            print(f"  {line} (its page says so; nothing computed)", file=sys.stderr)
        executed_dir().mkdir(parents=True, exist_ok=True)
        _write_atomic(done, out)
        return RunResult(name, out, False, 0.0, digest, missing_data=True)
    restricted = prm.get("source") == "restricted"
    sdc_record.start_run(name, prm.get("source"))  # no checker record of an earlier run survives this one
    (failed_dir() / f"{name}.ipynb").unlink(missing_ok=True)  # nor the failed notebook of an earlier run
    executed_dir().mkdir(parents=True, exist_ok=True)
    running_dir().mkdir(parents=True, exist_ok=True)
    tmp = running_dir() / f"{name}.{os.getpid()}.ipynb"
    t0 = time.perf_counter()
    try:
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
                request_save_on_cell_execute=False,  # written once, at the end: nothing half-done on disk
                kernel_manager_class=_kernel_manager_class(),
                extra_arguments=["--IPKernelApp.log_level=ERROR"],  # silence the kernel's TCP notice
            )
        except Exception as exc:
            if CANCEL.is_set():
                raise Cancelled(f"{name}: cancelled; its previous output is unchanged") from None
            what = _describe_failure(exc)
            kept = ""
            if tmp.exists():
                dst = failed_dir() / f"{name}.ipynb"
                if restricted:
                    redact.scrub_notebook_file(tmp, dst, _secrets(prm))
                else:
                    dst.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(tmp, dst)
                kept = f" The executed notebook is in {dst.relative_to(paths.ROOT) if dst.is_relative_to(paths.ROOT) else dst}."
            if out.exists():
                mark_failed(out, prm, what)
                kept += " The previous output is kept and marked stale."
            message = f"chapter {name!r} failed: {what}.{kept} Re-run with `{rerun_command(name, prm)}`"
            raise ChapterFailed(redact.scrub(message, _secrets(prm)) if restricted else message) from None
        seconds = time.perf_counter() - t0
        done = _finalise(redact.redact_notebook(nbformat.read(tmp, as_version=4), prm), name, prm, digest, seconds, parts)
        if CANCEL.is_set():
            raise Cancelled(f"{name}: cancelled; its previous output is unchanged")
        _write_atomic(done, out)
    finally:
        tmp.unlink(missing_ok=True)
    for line in report.logged_warnings(done):  # what the page's warning boxes show, in the run log too
        print(f"  {name}: warning {line}", file=sys.stderr)
    return RunResult(name, out, False, seconds, digest)


def plan(names: list[str] | None, overrides: Mapping, scenario: str | None, check_paths: bool = True) -> dict[str, dict]:
    """Resolve the parameters of each chapter to run.

    An override applies to every selected chapter that has that parameter; a
    name no selected chapter has is an error (most likely a typo). Paths given
    as parameters must exist (``check_paths``).
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
        raise InputError(
            "command line", f"no selected chapter has parameter(s) {', '.join(sorted(unknown))}; valid: {', '.join(valid)}"
        )
    if check_paths:
        for n, prm in resolved.items():
            P.check_paths(n, prm)
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


class _Interrupts:
    """While a run lasts, Ctrl-C and SIGTERM cancel it (kernels killed at once) instead of raising mid-write."""

    def __init__(self, say):
        self.say, self.old = say, {}

    def _handle(self, signum, frame):
        first = not CANCEL.is_set()
        logging.getLogger("papermill").setLevel(logging.CRITICAL)  # not "Kernel died": we killed it on purpose
        cancel()
        if first:
            self.say(f"{signal.Signals(signum).name}: cancelling (running kernels stopped; finished outputs stay as they were)")

    def __enter__(self):
        CANCEL.clear()
        if threading.current_thread() is threading.main_thread():
            for s in (signal.SIGINT, signal.SIGTERM):
                self.old[s] = signal.signal(s, self._handle)
        return self

    def __exit__(self, *exc):
        for s, h in self.old.items():
            signal.signal(s, h)
        return False


def run(
    names: list[str] | None = None,
    overrides: Mapping | None = None,
    scenario: str | None = None,
    jobs: int = 1,
    force: bool = False,
) -> list[RunResult]:
    """Run chapters (all of ``_toc.yml`` by default), ``jobs`` at a time, printing progress.

    A failing chapter (an error in a cell, a dead kernel) does not stop the others; the summary names
    each failure. Ctrl-C or SIGTERM cancels the run within seconds."""
    if (
        scenario == "public"
    ):  # open data only: a chapter lacking an input is named with its fetch command, never run on synthetic data
        names = fetch.open_chapters(names or toc_chapters(), log=lambda m: print(m, file=sys.stderr))
        if not names:
            return []
    todo = plan(names, overrides or {}, scenario)
    blas_threads(jobs)
    os.environ.setdefault("MOVERS_ROOT", str(paths.ROOT))  # kernels resolve the same project root as this process
    results: list[RunResult] = []
    errors: list[str] = []
    cancelled: list[str] = []
    total = len(todo)
    t0 = time.perf_counter()

    lock = threading.Lock()

    def say(msg):  # one write per line under a lock: parallel chapters must not interleave their lines
        with lock:
            sys.stderr.write(msg + "\n")
            sys.stderr.flush()

    def one(n):
        if CANCEL.is_set():
            raise Cancelled(f"{n}: not started (cancelled)")
        say(f"  start {n}")
        return run_chapter(n, todo[n], force=force, progress=(jobs == 1 and sys.stderr.isatty()))

    sweep_scratch()
    with _Interrupts(say), ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(one, n): n for n in todo}
        for fut in as_completed(futures):
            n = futures[fut]
            done = len(results) + len(errors) + len(cancelled) + 1
            try:
                r = fut.result()
            except Cancelled as exc:
                cancelled.append(n)
                say(f"[{done}/{total}] cancelled {exc}")
                continue
            except Exception as exc:  # a chapter's failure of any kind is reported with its name; the others go on
                msg = (
                    str(exc)
                    if isinstance(exc, (ChapterFailed, InputError))
                    else f"chapter {n!r} failed: {type(exc).__name__}: {exc}"
                )
                errors.append(msg)
                say(f"[{done}/{total}] FAILED {msg}")
                continue
            results.append(r)
            state = (
                "cached"
                if r.cached
                else "not computed: its open data are missing (its page names them)"
                if r.missing_data
                else f"executed in {r.seconds:.1f} s"
            )
            say(f"[{done}/{total}] {n}: {state}")
    say(f"{len(results)} chapter(s) ready, {len(errors)} failed, {len(cancelled)} cancelled, {time.perf_counter() - t0:.1f} s")
    if cancelled or CANCEL.is_set():
        raise Cancelled(
            f"run cancelled: {len(results)} chapter(s) ready, {len(errors)} failed, {len(cancelled)} not finished ({', '.join(cancelled)}); their previous outputs are unchanged"
        )
    if errors:
        raise ChapterFailed(f"{len(errors)} of {total} chapter(s) failed:\n" + "\n".join(errors))
    return results
