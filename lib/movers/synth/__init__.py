"""The synthetic world: every dataset the book reads, generated from one seed in the real files' formats.

Each module of this package that defines ``NAME``, ``REQUIRES`` and
``generate(root, seed, scale)`` is a dataset generator. ``generate(root, ...)``
writes the folder ``root / NAME`` (and may read the folders of the datasets
it requires, e.g. flows need the geography). Each writes a ``truth.json``
holding the parameters that generated it.

``generate_world`` runs them in dependency order into a temporary folder and
swaps it in only when all succeeded, so a failed run never leaves a
half-written world that looks valid. It replaces only a folder it wrote itself (one holding
``world.json``) or an empty or new one, and never a folder holding files git tracks.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import os
import pkgutil
import shutil
import stat
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from movers.core.errors import InputError

WORLD_FILE = "world.json"  # the manifest every generated world holds: also the mark that ``generate`` wrote a folder


def rng_for(seed: int, name: str) -> np.random.Generator:
    """Independent random stream per dataset, so regenerating one dataset leaves the others unchanged."""
    salt = int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "little")
    return np.random.default_rng([int(seed), salt])


def write_truth(folder: Path, truth: dict) -> Path:
    """Write ``truth.json`` (the generating parameters) into a dataset folder."""
    path = Path(folder) / "truth.json"
    path.write_text(json.dumps(truth, indent=2, sort_keys=True, default=_jsonable))
    return path


def read_truth(folder: Path) -> dict:
    """Read a dataset's ``truth.json``; empty dict when the data are not synthetic."""
    path = Path(folder) / "truth.json"
    return json.loads(path.read_text()) if path.exists() else {}


def _jsonable(x):
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    raise TypeError(f"not JSON serialisable: {type(x)}")


def generators() -> dict:
    """Discover the dataset generators of this package: {NAME: module}."""
    found = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        mod = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(mod, "generate") and hasattr(mod, "NAME"):
            found[mod.NAME] = mod
    return found


def _order(mods: dict, wanted: list[str]) -> list[str]:
    order: list[str] = []

    def visit(name, stack=()):
        if name in order:
            return
        if name not in mods:
            raise KeyError(f"unknown synthetic dataset {name!r}; known: {', '.join(sorted(mods))}")
        if name in stack:
            raise RuntimeError(f"circular dataset requirements: {' -> '.join(stack + (name,))}")
        for dep in getattr(mods[name], "REQUIRES", ()):
            visit(dep, stack + (name,))
        order.append(name)

    for w in wanted:
        visit(w)
    return order


def tracked_files(folder: Path) -> list[str]:
    """Files below ``folder`` that git tracks (none if it is not in a repository or git is absent)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), "ls-files", "--", "."], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return []
    return [ln for ln in done.stdout.splitlines() if ln.strip()] if done.returncode == 0 else []


def check_out_folder(out: Path) -> None:
    """Refuse to replace a folder ``generate`` did not write: one that holds files but no ``world.json``
    (a thesis, the project's ``data/``), or any file git tracks. A world is replaced whole, so anything
    else in the folder would be lost."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(out, "is a file, not a folder: give --out a folder for the synthetic world")
    tracked = tracked_files(out)
    if tracked:
        raise InputError(
            out,
            f"holds {len(tracked)} file(s) tracked by git (e.g. {tracked[0]}): generate never replaces them; choose another --out",
        )
    if out.is_dir() and any(out.iterdir()) and not (out / WORLD_FILE).is_file():
        raise InputError(
            out,
            f"is not empty and was not written by generate (no {WORLD_FILE}); it would be replaced whole: "
            "choose an empty or new folder",
        )


def generate_world(
    out: Path, seed: int = 2020, scale: float = 1.0, only: list[str] | None = None, log=print, options: dict | None = None
) -> dict:
    """Generate the synthetic world into ``out`` atomically and return its manifest.

    ``scale`` multiplies the sizes (flows' population, panel sizes...) so
    tests can run a small world; 1.0 is the report's scale. ``only`` limits
    generation to some datasets (and their requirements), keeping the others.
    ``options`` maps a dataset name to keyword arguments of its ``generate``
    (e.g. ``{"geography": {"kind": "real"}}`` puts the world on the real
    authorities); they are recorded in the manifest, and a partial regeneration
    (``only``) reuses the recorded options of datasets it regenerates unless
    new ones are given, so ``--only flows`` keeps a real geography real.
    """
    options = dict(options or {})
    out = Path(out)
    check_out_folder(out)
    mods = generators()
    names = _order(mods, only or sorted(mods))
    tmp = out.with_name(out.name + ".tmp")
    try:
        manifest = _write_world(out, tmp, mods, names, int(seed), float(scale), only, options, log)
    except OSError as exc:  # a read-only or full folder: one message naming it, nothing half-written left behind
        _remove(tmp)
        raise InputError(
            out, f"cannot write the synthetic world here ({exc.strerror or type(exc).__name__}); choose a writable --out"
        ) from None
    except BaseException:
        _remove(tmp)
        raise
    return manifest


def _write_world(out: Path, tmp: Path, mods: dict, names: list[str], seed: int, scale: float, only, options: dict, log) -> dict:
    """Write every dataset of ``names`` into ``tmp`` (a copy of ``out`` when regenerating ``only`` some), then put
    ``tmp`` in the place of ``out``; the manifest. The caller removes ``tmp`` if anything fails."""
    _remove(tmp)
    if only and out.exists():
        shutil.copytree(out, tmp)
    tmp.mkdir(parents=True, exist_ok=True)
    manifest = {"seed": seed, "scale": scale, "datasets": {}}
    old = tmp / WORLD_FILE
    if old.exists():
        manifest["datasets"] = json.loads(old.read_text()).get("datasets", {})
        for name, rec in manifest["datasets"].items():
            if rec.get("options") and name not in options:
                options[name] = rec["options"]
    for i, name in enumerate(names, 1):
        t0 = time.perf_counter()
        log(f"[{i}/{len(names)}] generating {name} (seed {seed}, scale {scale}) ...")
        folder = tmp / name
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        mods[name].generate(tmp, seed, scale, **options.get(name, {}))
        manifest["datasets"][name] = {
            "seed": seed,
            "scale": scale,
            **({"options": options[name]} if options.get(name) else {}),
            "generated": datetime.now(UTC).isoformat(timespec="seconds"),
            "fingerprint": fingerprint(folder),
        }
        log(f"      {name} done in {time.perf_counter() - t0:.1f} s")
    (tmp / WORLD_FILE).write_text(json.dumps(manifest, indent=2))
    if out.exists():
        trash = out.with_name(out.name + ".old")
        _remove(trash)
        out.rename(trash)
        tmp.rename(out)
        _remove(trash)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp.rename(out)
    return manifest


def _remove(folder: Path) -> None:
    """Remove ``folder`` if it exists, read-only files and folders included (a copy of a read-only world)."""

    def writable_then_retry(func, path, _exc):
        os.chmod(path, stat.S_IRWXU)
        with contextlib.suppress(OSError):
            os.chmod(os.path.dirname(path), stat.S_IRWXU)
        func(path)

    if folder.exists():
        with contextlib.suppress(OSError):
            shutil.rmtree(folder, onerror=writable_then_retry)  # Python 3.11: onerror


def fingerprint(folder: Path) -> str:
    """SHA-256 over the names and bytes of every file below ``folder`` (order-independent of the OS)."""
    h = hashlib.sha256()
    for p in sorted(Path(folder).rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(folder)).encode())
            with open(p, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
    return h.hexdigest()


def main_generate(out: Path, seed: int, scale: float, only=None, geography: str | None = None) -> int:
    """CLI entry: generate and report; return a process exit code.

    ``geography="real"`` runs every generator on England and Wales's own 348
    authorities (real boundaries, centroids and borders) instead of the Voronoi map;
    ``None`` keeps what the existing world recorded (synthetic for a new world).
    """
    t0 = time.perf_counter()
    options = {"geography": {"kind": geography}} if geography else None
    generate_world(out, seed=seed, scale=scale, only=only, options=options)
    print(f"synthetic world written to {out} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return 0
