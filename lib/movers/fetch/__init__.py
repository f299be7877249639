"""``python -m movers fetch [DATASET ...]``: download the open data sets of ``data/datasets.yml``.

Why pooch: it gives pinned URLs with checksums and a cache that is only
re-downloaded when the file's hash no longer matches. On top of it this module
adds what the project needs:

* one downloader (``urllib``) for ``https://``, ``http://`` and ``file://`` URLs,
  so tests and a local mirror go through the same path (hash check, cache) as a
  real download;
* resumable downloads: bytes arrive in ``<name>.part`` beside the target, and an
  interrupted download continues with an HTTP ``Range`` request next time;
* a tqdm progress bar per file;
* one clear line, not a traceback, when the machine is offline;
* a mirror (``MOVERS_FETCH_MIRROR``: a folder or ``file://`` URL laid out like
  ``data/public``), which also serves files no public URL holds byte for byte;
* zip resources: a file with ``unzip: [member, ...]`` in the manifest is unpacked
  after its download (the named members, or every member with ``unzip: all``), so
  the loaders find the publisher's CSVs beside the zip;
* after fetching, the LA-to-region lookup the geography loader needs is derived
  from the GVA file and written beside the boundaries.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm  # the console bar: fetch runs from the command line (tqdm.auto warns inside kernels)

from movers.core import config as yamlfile, paths
from movers.core.errors import InputError
from movers.data import manifest as manifest_file, public

MANIFEST = paths.DATA / "datasets.yml"
MIRROR_ENV = "MOVERS_FETCH_MIRROR"
TIMEOUT_S = 20
OFFLINE_EXIT = 3


class Offline(Exception):
    """The host of a URL could not be reached (no network, DNS failure, refused, timed out)."""


@dataclass(frozen=True)
class FileSpec:
    """One file of a dataset: where it goes (``folder/name``), where it comes from, its SHA-256 if known."""

    dataset: str
    folder: str
    name: str
    url: str | None
    sha256: str | None
    source_url: str | None = None
    unzip: tuple | str | None = None  # members to unpack after download ("all": every member)


def load_manifest(path: Path | None = None) -> dict:
    """The ``datasets:`` mapping of ``data/datasets.yml`` (or ``path``), checked (``movers.data.manifest.load``)."""
    return manifest_file.load(path or MANIFEST)


def file_specs(manifest: dict, names: list[str] | None = None) -> list[FileSpec]:
    """Files of the named datasets (all datasets when ``names`` is empty), in manifest order."""
    names = list(names or manifest)
    unknown = [n for n in names if n not in manifest]
    if unknown:
        raise InputError("fetch", f"unknown dataset(s) {', '.join(unknown)}; known: {', '.join(manifest)}")
    return [
        FileSpec(
            n,
            manifest[n]["folder"],
            f["name"],
            f.get("url"),
            f.get("sha256"),
            f.get("source_url"),
            f.get("unzip") if f.get("unzip") in (None, "all") else tuple(f["unzip"]),
        )
        for n in names
        for f in manifest[n]["files"]
    ]


def not_open(path: Path | None = None) -> dict[str, str]:
    """``not_open:`` of ``data/datasets.yml``: chapters whose inputs no open download holds, and what they need."""
    path = Path(path or MANIFEST)
    return dict(yamlfile.read(path, {}).get("not_open") or {})


def _present(folder: Path, d: dict) -> bool:
    """Every file of a dataset (for a zip: the members it unpacks) is under ``folder``."""
    if not d["files"]:
        return False
    where = Path(folder) / d["folder"]
    names = [m for f in d["files"] for m in (f["unzip"] if isinstance(f.get("unzip"), list) else [f["name"]])]
    return all((where / n).exists() for n in names)


def _shown(folder: Path) -> str:
    folder = Path(folder)
    try:
        return str(folder.resolve().relative_to(paths.ROOT.resolve()))
    except ValueError:
        return str(folder)


def expected_root(data_path: str | Path | None = "") -> Path:
    """The folder of open files (``paths.open_data_root``); when there is none, the folder they are expected
    in (``data_path`` as given, else the download cache), for the lines that say what is missing where."""
    try:
        return paths.open_data_root(data_path)
    except InputError:
        return Path(data_path) if data_path else paths.download_cache()


def _how(name: str, d: dict) -> str:
    if d["files"]:
        return f"run `python -m movers fetch {name}`"
    return f"no download link is pinned yet (see {d.get('page', 'data/datasets.yml')})"


def optional_missing(chapter: str, root: Path, manifest: dict | None = None) -> list[str]:
    """One line for each optional input (``optional: true``) ``chapter`` lacks under ``root``: the chapter runs
    without it (the control is left out of the models and the page says so)."""
    manifest = manifest or load_manifest()
    return [
        f"{chapter}: runs without {name} (not in {_shown(root)}; the page says what is left out): {_how(name, d)}"
        for name, d in manifest.items()
        if chapter in d["chapters"] and d.get("optional") and not _present(root, d)
    ]


def _sources(chapter: str) -> list[str]:
    """The sources ``params/<chapter>.yml`` accepts (``_choices: source``), read as plain YAML (``core.config``):
    ``fetch`` sits below the book layer, so it does not import ``movers.book.params``."""
    path = paths.PARAMS / f"{chapter}.yml"
    if not path.exists():
        raise InputError(path, f"no parameter file for chapter {chapter!r}")
    choices = (yamlfile.read(path, {}) or {}).get("_choices") or {}
    return list(choices.get("source") or [])


def missing_inputs(chapter: str, root: Path | None = None, manifest: dict | None = None, closed: dict | None = None) -> list[str]:
    """One line for each open input ``chapter`` lacks under ``root``, naming the dataset and the ``fetch``
    command that brings it; empty when open data can feed the chapter.

    Inputs are the datasets of ``data/datasets.yml`` whose ``chapters`` name it. A chapter listed under
    ``not_open`` (licensed microdata, interviews) gets one line saying so; a chapter whose parameters do
    not accept ``source: public`` gets one line saying it does not read open data yet, after its missing
    inputs, so that a user who fetched everything is not surprised.
    """
    manifest = manifest or load_manifest()
    closed = not_open() if closed is None else closed
    if chapter in closed:
        return [f"{chapter}: needs {closed[chapter]}, which no open download holds: not run on open data"]
    root = expected_root() if root is None else root
    lines = []
    for name, d in manifest.items():
        if chapter not in d["chapters"] or _present(root, d) or d.get("optional"):
            continue
        lines.append(f"{chapter}: needs {name} (not in {_shown(root)}): {_how(name, d)}")
    choices = _sources(chapter)
    if "public" not in choices:
        lines.append(
            f"{chapter}: does not read open data yet (params/{chapter}.yml allows source: {', '.join(choices) or 'none'}): not run on open data"
        )
    return lines


def open_chapters(names: list[str], root: Path | None = None, log=print) -> list[str]:
    """The chapters of ``names`` that open data can feed; for every other one, ``log`` gets the lines of
    ``missing_inputs`` (what it lacks and how to fetch it), so no chapter falls back to synthetic data."""
    manifest, closed = load_manifest(), not_open()
    ready = []
    for n in names:
        lines = missing_inputs(n, root, manifest, closed)
        for line in lines:
            log(line)
        if not lines:
            ready.append(n)
            for line in optional_missing(n, root if root is not None else expected_root(), manifest):
                log(line)
    log(f"open data: running {', '.join(ready) or 'no chapter'}; {len(names) - len(ready)} chapter(s) not run (lines above)")
    return ready


def mirror_url(spec: FileSpec, mirror: str | None) -> str | None:
    """``file://`` URL of ``spec`` in a mirror folder laid out like ``data/public``, if the mirror has it."""
    if not mirror:
        return None
    base = Path(urllib.parse.urlparse(mirror).path) if mirror.startswith("file://") else Path(mirror)
    path = base.expanduser().resolve() / spec.folder / spec.name
    return path.as_uri() if path.exists() else None


class ResumableDownloader:
    """pooch downloader over urllib: ``file://`` and ``http(s)://``, a ``.part`` file that survives
    interruptions and is resumed with an HTTP Range request, and a tqdm progress bar."""

    def __init__(self, part: Path, progress: bool = True, timeout: float = TIMEOUT_S):
        self.part = Path(part)
        self.progress = progress
        self.timeout = timeout

    def __call__(self, url: str, output_file, pooch_obj=None, check_only: bool = False):

        have = self.part.stat().st_size if self.part.exists() else 0
        headers = {"User-Agent": "movers-fetch (https://github.com/; reproducible research book)"}
        http = url.startswith(("http://", "https://"))
        if have and http:
            headers["Range"] = f"bytes={have}-"
        try:
            resp = urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=self.timeout)
        except urllib.error.HTTPError as exc:
            if exc.code == 416 and have:  # the .part is already complete
                resp = None
            else:
                raise
        except (TimeoutError, urllib.error.URLError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            if url.startswith("file://"):
                raise FileNotFoundError(f"{url}: {reason}") from None
            raise Offline(f"cannot reach {urllib.parse.urlparse(url).netloc} ({reason})") from None
        if check_only:
            return True
        if resp is not None:
            resumed = http and getattr(resp, "status", 200) == 206
            if not resumed:
                have = 0
            total = resp.headers.get("Content-Length")
            total = int(total) + have if total else None
            mode = "ab" if resumed else "wb"
            try:
                with (
                    resp,
                    open(self.part, mode) as out,
                    tqdm(
                        total=total,
                        initial=have,
                        unit="B",
                        unit_scale=True,
                        desc=self.part.name[:-5][:40],
                        disable=not self.progress,
                        file=sys.stderr,
                        leave=False,
                    ) as bar,
                ):
                    for block in iter(lambda: resp.read(1 << 16), b""):
                        out.write(block)
                        bar.update(len(block))
            except (TimeoutError, ConnectionError) as exc:
                raise Offline(
                    f"connection to {urllib.parse.urlparse(url).netloc} lost ({exc}); run fetch again to resume"
                ) from None
        shutil.copyfile(self.part, output_file)
        self.part.unlink()


def fetch_file(spec: FileSpec, cache: Path, mirror: str | None = None, progress: bool = True) -> tuple[Path, str]:
    """Download (or find in the cache) one file; return its path and how it was obtained.

    pooch checks the SHA-256 when one is pinned (a mismatch raises ValueError and
    leaves nothing behind) and re-downloads a cached file whose hash no longer matches.
    """
    import pooch

    pooch.get_logger().setLevel(logging.WARNING)
    folder = Path(cache) / spec.folder
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / spec.name
    url = mirror_url(spec, mirror) or spec.url
    if url is None:
        if target.exists():
            return target, "cached"
        where = f"; the original is at {spec.source_url}" if spec.source_url else ""
        raise FileNotFoundError(
            f"{spec.dataset}/{spec.name}: no public URL serves this file, only a mirror ({MIRROR_ENV}){where}"
        )
    cached = target.exists() and (spec.sha256 is None or sha256_of(target) == spec.sha256)
    known = f"sha256:{spec.sha256}" if spec.sha256 else None
    path = pooch.retrieve(
        url,
        known_hash=known,
        fname=spec.name,
        path=folder,
        downloader=ResumableDownloader(folder / (spec.name + ".part"), progress),
        progressbar=False,
    )
    return Path(path), "cached" if cached else ("copied" if url.startswith("file://") else "downloaded")


def unpack(path: Path, members) -> list[Path]:
    """Unpack ``members`` of the zip ``path`` beside it ("all": every file member); return the paths.

    A member the zip lacks, a member whose name would leave the folder, or a file that
    is not a zip is an error naming the file (the download is then kept for inspection).
    """
    path = Path(path)
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise InputError(path, "not a zip file (an HTML error page saved under the zip's name?)") from None
    with zf:
        names = [n for n in zf.namelist() if not n.endswith("/")]
        wanted = names if members == "all" else list(members)
        by_base = {Path(n).name: n for n in names}
        out = []
        for m in wanted:
            src = m if m in names else by_base.get(Path(m).name)
            if src is None:
                raise InputError(path, f"the zip has no member {m!r}; it holds {', '.join(names[:6])}")
            target = path.parent / Path(src).name
            if Path(src).name in ("", ".", ".."):
                raise InputError(path, f"unsafe member name {src!r}")
            if not target.exists() or target.stat().st_size != zf.getinfo(src).file_size:
                with zf.open(src) as fin, open(target.with_suffix(target.suffix + ".part"), "wb") as fout:
                    shutil.copyfileobj(fin, fout)
                target.with_suffix(target.suffix + ".part").replace(target)
            out.append(target)
    return out


def sha256_of(path: Path) -> str:
    """SHA-256 of a file, as pinned in data/datasets.yml."""
    import pooch

    return pooch.file_hash(str(path), alg="sha256")


def derive(cache: Path, manifest: dict, log=print) -> list[Path]:
    """Files derived from downloads, in the layouts the loaders read:

    * the ONS LA-to-region lookup beside the 2014 boundaries, and a ``geography/``
      folder (boundaries + lookup) for ``load_geography(<data>/geography)``;
    * ``nomis/imd2010_la_summary.csv``, IMD 2010 authority ranks from the LSOA scores,
      for ``movers.data.nomis.classifications``;
    * the APS downloads of Nomis with ``DATE`` as the year (``derive:`` in the manifest names the file
      ``movers.data.nomis`` reads).
    """
    out = []

    def have(*names):
        try:
            return [manifest_file.local_path(cache, n, manifest) for n in names]
        except InputError:
            return None

    if (p := have("gva_la", "lad_boundaries_2014")) is not None:
        gva, shp = p
        out.append(public.write_region_lookup(gva, shp.parent))
        log(f"  derived    {out[-1].relative_to(cache)} (LA-to-region lookup from the GVA file)")
        out.append(public.write_geography_folder(shp, gva, cache / "geography"))
        log(f"  derived    {out[-1].relative_to(cache)}/ (boundaries and lookup for the geography loader)")
    if (p := have("imd2010_lsoa", "imd2015_lsoa")) is not None:
        out.append(public.write_imd_summary(p[0], p[1], cache / "nomis" / "imd2010_la_summary.csv"))
        log(f"  derived    {out[-1].relative_to(cache)} (IMD 2010 LA ranks from LSOA scores)")
    for name in ("unemployment_model_based", "country_of_birth", "occupation_soc12"):  # Nomis's DATE (2017-12) as the year
        if (p := have(name)) is not None and manifest[name].get("derive"):
            out.append(public.write_nomis_years(p[0], cache / manifest[name]["folder"] / manifest[name]["derive"]))
            log(f"  derived    {out[-1].relative_to(cache)} (APS rates by calendar year, in the Nomis loader's layout)")
    return out


def main(datasets: list[str] | None = None, cache: Path | None = None, mirror: str | None = None, progress: bool = True) -> int:
    """Fetch the named datasets (all when none are named) into ``cache`` (default ``data/public``).

    Returns 0 when every file is present and verified, 3 when the machine is
    offline (one line says so), 1 for any other failure (named per file).
    """
    manifest = load_manifest()
    cache = Path(cache or paths.download_cache())
    mirror = mirror if mirror is not None else os.environ.get(MIRROR_ENV)
    specs = file_specs(manifest, datasets)
    ok, failed, offline = [], [], None
    for spec in specs:
        if offline and not mirror_url(spec, mirror):
            failed.append(spec)
            continue
        try:
            path, how = fetch_file(spec, cache, mirror, progress)
        except Offline as exc:
            offline = offline or str(exc)
            failed.append(spec)
            continue
        except urllib.error.HTTPError as exc:
            print(
                f"fetch: {spec.dataset}/{spec.name}: HTTP {exc.code} from {exc.url or spec.url} (has the file moved? see data/datasets.yml)",
                file=sys.stderr,
            )
            failed.append(spec)
            continue
        except (FileNotFoundError, ValueError) as exc:
            print(f"fetch: {spec.dataset}/{spec.name}: {exc}", file=sys.stderr)
            failed.append(spec)
            continue
        if spec.unzip:
            try:
                for member in unpack(path, spec.unzip):
                    print(f"  unpacked   {spec.dataset}/{member.name}", file=sys.stderr)
            except InputError as exc:
                print(f"fetch: {exc}", file=sys.stderr)
                failed.append(spec)
                continue
        ok.append(spec)
        note = "" if spec.sha256 else f"  (no pinned checksum; sha256 {sha256_of(path)} -- add it to data/datasets.yml)"
        print(f"  {how:10s} {spec.dataset}/{spec.name}{note}", file=sys.stderr)
    derive(cache, manifest, log=lambda m: print(m, file=sys.stderr))
    empty = [n for n in (datasets or manifest) if not manifest[n]["files"]]
    for n in empty:
        print(f"  no file   {n}: no download link is pinned; see {manifest[n].get('page', 'data/datasets.yml')}", file=sys.stderr)
    if offline:
        print(
            f"fetch: offline: {offline}; {len(ok)} of {len(specs)} file(s) ready in {cache}, {len(failed)} not downloaded "
            f"(re-run when online, or set {MIRROR_ENV} to a folder with the same layout)",
            file=sys.stderr,
        )
        return OFFLINE_EXIT
    print(f"fetch: {len(ok)} of {len(specs)} file(s) ready in {cache}", file=sys.stderr)
    return 1 if failed else 0
