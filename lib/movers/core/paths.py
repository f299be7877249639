"""Where things live. Every path the package uses is derived here, from the project root."""

from __future__ import annotations

import os
from pathlib import Path

from movers.core.errors import InputError


def find_root(start: str | Path | None = None, env=os.environ) -> Path:
    """The project root: ``MOVERS_ROOT`` when set, else the working directory or the nearest parent
    holding ``_toc.yml`` and ``params/``, else the working directory itself.

    Never the folder the package is installed in: a virtual environment shared by two checkouts
    (or an installed, non-editable package) must not read or write the other checkout's files."""
    if env.get("MOVERS_ROOT"):
        return Path(env["MOVERS_ROOT"]).expanduser().resolve()
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "_toc.yml").is_file() and (folder / "params").is_dir():
            return folder
    return here


ROOT = find_root()
CHAPTERS = ROOT / "chapters"
PARAMS = ROOT / "params"
DATA = ROOT / "data"
REFERENCE = DATA / "reference"
CLASSIFICATIONS = DATA / "classifications"
DICTIONARIES = DATA / "dictionaries"
# Build outputs; MOVERS_BUILD moves them elsewhere (the tests' chapter runs write into a temporary folder).
BUILD = Path(os.environ["MOVERS_BUILD"]).resolve() if os.environ.get("MOVERS_BUILD") else ROOT / "_build"
SHARED_PUBLIC = ROOT.parent / "shared" / "data" / "public"

SOURCES = ("synthetic", "public", "restricted")


def download_cache() -> Path:
    """Where ``python -m movers fetch`` writes the open files: ``data/public``, or ``MOVERS_PUBLIC``."""
    return Path(os.environ.get("MOVERS_PUBLIC", DATA / "public"))


def _filled(folder: Path) -> bool:
    """``folder`` exists and holds anything but hidden files (a partial ``fetch`` counts: it is the folder the user
    chose; a ``.gitkeep`` does not)."""
    try:
        return folder.is_dir() and any(not p.name.startswith(".") for p in folder.iterdir())
    except OSError:
        return False


def open_data_root(data_path: str | Path | None = "") -> Path:
    """THE folder of open files, for every reader: chapters, analyses, loaders, ``generate``, and the
    runner's input hash (so the hash covers exactly the folder read).

    ``data_path`` when given (it must exist); else the download cache of ``python -m movers fetch``
    (:func:`download_cache`) as soon as it holds anything; else the workplace copy ``../shared/data/public``
    (same layout). One folder for all the files of a run, never a file from each: a partial ``fetch`` is
    then read as it is, and a chapter missing a file says which one to fetch, rather than reading the
    rest from a folder the runner did not hash. ``InputError`` naming the cache when neither has files."""
    if data_path:
        return data_dir("public", data_path)
    cache = download_cache()
    for folder in (cache, SHARED_PUBLIC):
        if _filled(folder):
            return folder
    raise InputError(
        shown(cache),
        f"no open data here nor in {SHARED_PUBLIC}: run `python -m movers fetch` (or pass -p data_path=<folder of the open files>)",
    )


def shown(path: str | Path, limit: int = 160) -> str:
    """``path`` as a message shows it: whole when short, else its two ends and its length."""
    s = str(path)
    return s if len(s) <= limit else f"{s[:60]}...{s[-60:]} ({len(s):,} characters)"


def kind(path: str | Path) -> str | None:
    """``"dir"``, ``"file"`` or None (nothing there) for ``path``; a path the system cannot even look up (too
    long, a component too long, no permission to search a parent) is an ``InputError`` saying why, rather
    than an ``OSError`` naming no parameter."""
    p = Path(path)
    try:
        return "dir" if p.is_dir() else "file" if p.exists() else None
    except OSError as exc:
        raise InputError(shown(p), f"cannot be used as a path ({exc.strerror or exc})") from None


def data_dir(source: str, path: str | None = None) -> Path:
    """The folder a chapter reads its input files from.

    ``synthetic`` defaults to the generated world in ``data/synthetic``; ``public``
    to the folder of open files (:func:`open_data_root`); ``restricted`` has no
    default because licensed files must never be copied into the project.
    """
    if source not in SOURCES:
        raise InputError("parameter 'source'", f"must be one of {', '.join(SOURCES)}, not {source!r}")
    if path:
        p = Path(path).expanduser()
        p = p if p.is_absolute() else ROOT / p
    elif source == "synthetic":
        p = Path(os.environ.get("MOVERS_SYNTHETIC", DATA / "synthetic"))
    elif source == "public":
        return open_data_root()
    else:
        raise InputError(
            "parameter 'data_path'", "source=restricted needs the folder of your licensed files (-p data_path=/path)"
        )
    if kind(p) != "dir":
        hint = " (run `python -m movers generate`)" if source == "synthetic" else ""
        raise InputError(shown(p), f"data folder for source={source} does not exist{hint}")
    return p
