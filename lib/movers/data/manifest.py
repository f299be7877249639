"""The open-data manifest ``data/datasets.yml``: reading it, and where each dataset's files sit.

Why in the data layer: the loaders of open data (``movers.data.open_yearly``) look up their inputs by
dataset name; downloading them is ``movers.fetch``'s business, which reads the manifest through here.
The folder of open files is ``core.paths.open_data_root`` (the one resolver, which knows no dataset);
the file of a dataset inside it is :func:`local_path` here, and :func:`open_data` is the two together.
"""

from __future__ import annotations

from pathlib import Path

from movers.core import config as yamlfile, paths
from movers.core.errors import InputError
from movers.data import schema

MANIFEST = paths.DATA / "datasets.yml"


def load(path: Path | None = None) -> dict:
    """The ``datasets:`` mapping of ``data/datasets.yml`` (or ``path``), checked for the keys ``fetch`` relies on
    and against ``data/schemas/datasets.schema.json``."""
    path = Path(path or MANIFEST)
    if not path.exists():
        raise InputError(path, "dataset manifest not found")
    data = yamlfile.read(path, {})
    sets = data.get("datasets")
    if not isinstance(sets, dict) or not sets:
        raise InputError(path, "no 'datasets:' mapping")
    for name, d in sets.items():
        for key in ("title", "publisher", "licence", "folder", "chapters", "files"):
            if key not in d:
                raise InputError(path, f"dataset {name!r} lacks {key!r}")
        for f in d["files"]:
            if "name" not in f or "url" not in f or "sha256" not in f:
                raise InputError(path, f"dataset {name!r}: every file needs name, url and sha256 (null when unknown)")
            if f["sha256"] is not None and (len(str(f["sha256"])) != 64):
                raise InputError(path, f"dataset {name!r}: {f['name']} has a malformed sha256")
    schema.validate_yaml(path, "datasets", data)  # the rest of the declared layout (data/schemas/datasets.schema.json)
    return sets


def main_file(folder: Path, dataset: str, manifest: dict | None = None) -> Path:
    """Where the main file of ``dataset`` belongs under a ``data/public``-style ``folder`` (there or not)."""
    manifest = manifest or load()
    if dataset not in manifest:
        raise InputError("datasets.yml", f"no dataset {dataset!r}")
    d = manifest[dataset]
    name = d.get("main") or (d["files"][0]["name"] if d["files"] else None)
    if name is None:
        raise InputError("datasets.yml", f"dataset {dataset!r} has no file")
    return Path(folder) / d["folder"] / name


def local_path(folder: Path, dataset: str, manifest: dict | None = None) -> Path:
    """The main file of ``dataset`` under a ``data/public``-style ``folder``; ``InputError`` when it is not there."""
    manifest = manifest or load()
    path = main_file(folder, dataset, manifest)
    if not path.exists():
        raise InputError(path, f"{manifest[dataset]['title']}: file not found (run `python -m movers fetch {dataset}`)")
    return path


def read_by(chapter: str, manifest: dict | None = None) -> list[str]:
    """The datasets whose ``chapters`` name ``chapter``: the open files it may read, whatever its source."""
    return [name for name, d in (manifest or load()).items() if chapter in d["chapters"]]


def open_data(dataset: str, data_path: str | Path | None = "", manifest: dict | None = None) -> Path:
    """The main file of ``dataset`` in the folder of open files (``paths.open_data_root(data_path)``): the
    file every reader of ``dataset`` opens and the runner hashes. ``InputError`` when it is not there."""
    return local_path(paths.open_data_root(data_path), dataset, manifest)
