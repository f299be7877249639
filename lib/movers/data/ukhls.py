"""BHPS-UKHLS (Understanding Society) files in UK Data Service layout -> one long person-wave table.

Why one loader: the real Special Licence release and the synthetic world share
the format (wave-prefixed files such as ``ba_indresp.tab`` / ``a_indresp.tab``,
wave-prefixed variables such as ``ba_age_dv``, person id ``pidp``,
wave-specific household ids, a cross-wave file ``xwavedat`` and the Special
Licence local-authority file ``{w}_oslaua_protect``), so the analysis in
``movers.strands.micro.movers_stayers`` never knows which it is reading.

The mapping from the analysis's names to the files' names lives in the
variable dictionary ``data/dictionaries/ukhls.yml``; a holder of a release
with different names edits a copy of it rather than the code. Files may be
tab-delimited (``.tab``, the UKDS "tab" download) or Stata (``.dta``), anywhere
below the data folder, once: a second copy of a file (a backup, the same file as .tab and .dta) is an error. UKDS negative codes (don't know, refused, inapplicable,
proxy, missing) become missing values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from movers.core import paths
from movers.core.errors import InputError, require_columns
from movers.data import codes as lacodes, microdata, schema
from movers.data.classifications import nssec_collapse
from movers.data.microdata import read_columns

DEFAULT_DICTIONARY = paths.DICTIONARIES / "ukhls.yml"
FILE_KINDS = ("xwave", "indall", "indresp", "hhresp", "la", "youth")
WAVE_KINDS = ("indall", "indresp", "hhresp", "la", "youth")
# analysis names that hold identifiers or codes kept as text
TEXT_VARIABLES = {"la_code"}
# The respondent characteristics the analysis derives from these files (movers.strands.micro.movers_stayers builds them; the
# synthetic generator's model is written in them): one list for both.
DEMOGRAPHICS = ("male", "age", "white", "married", "has_children", "n_children", "degree", "owner", "intl_migrant")


@dataclass(frozen=True)
class Wave:
    """One survey wave: its file/variable prefix (``ba``, ``a``...), survey and nominal first year."""

    prefix: str
    survey: str
    index: int  # chronological position over BHPS then UKHLS
    year: int


@dataclass
class Panel:
    """The loaded panel.

    ``person_waves``: one row per person and wave in which they were enumerated
    (pidp, wave, survey, wave_index, year, hidp, age, father, mother, la_code,
    responded, jbstat, nssec_current, nssec_last, income, marstat, hiqual,
    n_children, tenure); ``people``: the cross-wave file (pidp, sex,
    birth_year, ethnicity, born_uk); ``youth``: youth questionnaire answers per
    person and wave; ``dictionary``: the mapping used (codes, labels, CPI).
    """

    person_waves: pd.DataFrame
    people: pd.DataFrame
    youth: pd.DataFrame
    dictionary: dict
    folder: Path
    files: list[Path] = field(default_factory=list)

    @property
    def cpi(self) -> pd.Series:
        """Consumer Prices Index by year from the dictionary (index 2015 = 100)."""
        return pd.Series({int(k): float(v) for k, v in self.dictionary["cpi"].items()}).sort_index()


def load_dictionary(path: str | Path | None = None) -> dict:
    """Read a variable dictionary (default ``data/dictionaries/ukhls.yml``), checked against
    ``data/schemas/ukhls_dictionary.schema.json``."""
    path = Path(path) if path else DEFAULT_DICTIONARY
    if not path.exists():
        raise InputError(path, "variable dictionary not found")
    d = schema.validate_yaml(path, "ukhls_dictionary")
    microdata.require_names(d, DEFAULT_DICTIONARY, path)
    d["_path"] = str(path)
    return d


def valid_values(d: dict) -> dict:
    """Declared values of every analysis variable: the dictionary's ``valid`` section, plus the NS-SEC codes
    of ``codes.nssec8_to_table01`` and the youth answers of ``labels.reason`` / ``labels.aspect``."""
    valid = dict(d.get("valid") or {})
    nssec = {"values": sorted(int(k) for k in d["codes"]["nssec8_to_table01"])}
    valid.setdefault("nssec_current", nssec)
    valid.setdefault("nssec_last", nssec)
    for name, label in (("reason1", "reason"), ("reason2", "reason"), ("aspect1", "aspect"), ("aspect2", "aspect")):
        if label in (d.get("labels") or {}):
            valid.setdefault(name, {"values": sorted(int(k) for k in d["labels"][label])})
    return valid


def layout(d: dict, kind: str, wave: Wave | None) -> schema.Layout:
    """The declared layout of one file (its variables as the wave names them, their values, the key pidp or hidp)."""
    spec = {"variables": wave_variables(d, kind, wave)}
    return schema.microdata_layout(
        f"BHPS-UKHLS {file_stem(d, kind, wave)}", spec, valid_values(d), float(d.get("missing_below", 0)), TEXT_VARIABLES
    )


def waves(dictionary: dict) -> list[Wave]:
    """All waves the dictionary defines, BHPS then UKHLS, in chronological order."""
    out = []
    surveys = sorted(dictionary["surveys"].items(), key=lambda kv: int(kv[1]["first_year"]))
    for survey, spec in surveys:
        for i, letter in enumerate(spec["letters"]):
            out.append(Wave(f"{spec['prefix']}{letter}", survey, len(out), int(spec["first_year"]) + i))
    return out


def wave_variables(dictionary: dict, kind: str, wave: Wave | None) -> dict[str, str]:
    """Analysis name -> file variable name for one file kind and wave (``{w}`` filled in)."""
    vs = dictionary["files"][kind]["variables"]
    w = wave.prefix if wave else ""
    return {k: str(v).replace("{w}", w) for k, v in vs.items()}


def file_stem(dictionary: dict, kind: str, wave: Wave | None) -> str:
    return str(dictionary["files"][kind]["name"]).replace("{w}", wave.prefix if wave else "")


def file_place(dictionary: dict, kind: str, wave: Wave | None) -> str | None:
    """The sub-folder of the data folder the dictionary puts a file kind in (``folder``, with ``{w}`` the wave
    prefix and ``{survey}`` bhps or ukhls), or None: then the file may be anywhere below, once."""
    place = dictionary["files"][kind].get("folder")
    if place is None:
        return None
    return str(place).replace("{w}", wave.prefix if wave else "").replace("{survey}", wave.survey if wave else "")


def index_files(folder: Path) -> dict[str, list[Path]]:
    """Every ``.tab``/``.dta`` below ``folder`` by lower-case stem, all copies (the UKDS zips nest them in folders)."""
    return microdata.index_files(folder, (".tab", ".dta"))


def _read_kind(files: dict, dictionary: dict, kind: str, wave: Wave | None, folder: Path, required: bool = True):
    stem = file_stem(dictionary, kind, wave)
    path = microdata.the_file(files, stem, folder, file_place(dictionary, kind, wave))
    if path is None:
        if required:
            raise InputError(Path(folder) / stem, f"file not found (looked for {stem}.tab or {stem}.dta below {folder})")
        return None, None
    names = wave_variables(dictionary, kind, wave)
    raw = read_columns(path, list(names.values()), as_text=True)
    raw = pd.DataFrame({a: raw[v.lower()] for a, v in names.items()})
    df = schema.check(raw, layout(dictionary, kind, wave), path)
    return df, path


def wave_files_present(files: dict, dictionary: dict, w: Wave) -> list[str]:
    """The wave's required files (enumeration, interview, household, LA) found below the data folder."""
    return [k for k in WAVE_KINDS if k != "youth" and file_stem(dictionary, k, w).lower() in files]


def check_waves(files: dict, dictionary: dict, folder: Path, years: tuple[int, int] | None = None) -> list[Wave]:
    """The waves to read, checked: a wave with any of its files needs all of them (a missing ``indresp`` would
    drop the whole wave), and no wave may be missing between the first and the last one present."""
    wanted = [w for w in waves(dictionary) if not years or years[0] <= w.year <= years[1]]
    present = []
    for w in wanted:
        have = wave_files_present(files, dictionary, w)
        if not have:
            continue
        lacking = [file_stem(dictionary, k, w) for k in WAVE_KINDS if k != "youth" and k not in have]
        if lacking:
            raise InputError(
                Path(folder) / lacking[0],
                f"wave {w.prefix} ({w.year}) is incomplete: {', '.join(lacking)} not found (.tab or .dta) "
                f"while {', '.join(file_stem(dictionary, k, w) for k in have)} are; reading it would drop the wave's respondents",
            )
        present.append(w)
    if present:
        first, last = present[0].index, present[-1].index
        gap = [w for w in wanted if first < w.index < last and w not in present]
        if gap:
            raise InputError(
                folder,
                f"{len(gap)} wave(s) missing between {present[0].prefix} ({present[0].year}) and {present[-1].prefix} ({present[-1].year}): "
                f"{', '.join(f'{w.prefix} ({w.year})' for w in gap)}; no {file_stem(dictionary, 'indresp', gap[0])} etc. below the folder",
            )
    return present


def _la_lookup(dictionary: dict, folder: Path) -> dict | None:
    spec = dictionary.get("la_lookup")
    if not spec:
        return None
    path = Path(spec["file"])
    path = path if path.is_absolute() else Path(folder) / path
    if not path.exists():
        raise InputError(path, "LA code lookup named in the dictionary not found")
    lu = schema.read_csv(path, "LA code lookup", dtype=str)
    require_columns(lu, [spec["from"], spec["to"]], path)
    return dict(zip(lu[spec["from"]], lu[spec["to"]]))


def load_panel(folder: str | Path, dictionary: str | Path | dict | None = None, years: tuple[int, int] | None = None) -> Panel:
    """Load the panel below ``folder`` into one person-wave table.

    A wave is read when its ``indresp`` file exists; for such a wave the
    enumeration (``indall``), household (``hhresp``) and local-authority files
    must exist too. ``years`` (first, last nominal wave year) limits the waves
    read. Each person's interview year is that of their own interview, else
    the household's, else the wave's nominal year.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(folder, "BHPS-UKHLS data folder does not exist")
    d = dictionary if isinstance(dictionary, dict) else load_dictionary(dictionary)
    files = index_files(folder)
    people, xpath = _read_kind(files, d, "xwave", None, folder)
    used = [xpath]
    lookup = _la_lookup(d, folder)
    pattern = re.compile(d.get("la_code_pattern") or ".*")
    frames, youth_frames = [], []
    for w in check_waves(files, d, folder, years):
        indall, p1 = _read_kind(files, d, "indall", w, folder)
        indresp, p2 = _read_kind(files, d, "indresp", w, folder)
        hh, p3 = _read_kind(files, d, "hhresp", w, folder)
        la, p4 = _read_kind(files, d, "la", w, folder)
        used += [p1, p2, p3, p4]
        extra = set(indresp["pidp"]) - set(indall["pidp"])
        if extra:
            raise InputError(
                p2,
                f"{len(extra)} respondent(s) (pidp) not enumerated in {p1.name}: every respondent must be in the enumeration file",
            )
        code = la["la_code"].astype(object)
        blank = code.isna() | (code.astype(str).str.strip() == "")
        la["la_code"] = la["la_code"].where(~blank)  # no LA, as a UKDS missing code would be
        la = lacodes.add_units(la, d.get("la_harmonisation"), folder)  # mover status compares stable units (1991-2019)
        if lookup is not None:
            la["la_code"] = la["la_code"].map(lambda c: lookup.get(c, c) if isinstance(c, str) else c)
        bad = la["la_code"].dropna().astype(str)
        bad = bad[~bad.str.match(pattern)]
        if len(bad):  # a household's LA is Special Licence detail: counted, never shown
            raise InputError(
                p4,
                f"{wave_variables(d, 'la', w)['la_code']}: {len(bad)} row(s) with a malformed LA code (expected "
                f"{pattern.pattern}; set la_lookup in the dictionary for old-style codes)",
            )
        resp = indresp.drop(columns=["hidp"]).assign(responded=True)
        pw = indall.merge(resp, on="pidp", how="left")
        pw["responded"] = pw["responded"].fillna(False).astype(bool)
        pw = pw.merge(hh, on="hidp", how="left").merge(la, on="hidp", how="left")
        hh_year = indresp.groupby("hidp")["year"].median()
        pw["year"] = pw["year"].fillna(pw["hidp"].map(hh_year)).fillna(w.year)
        pw.insert(1, "wave", w.prefix)
        pw.insert(2, "survey", w.survey)
        pw.insert(3, "wave_index", w.index)
        frames.append(pw)
        yth, p5 = _read_kind(files, d, "youth", w, folder, required=not d["files"]["youth"].get("optional", False))
        if yth is not None:
            used.append(p5)
            youth_frames.append(yth.assign(wave=w.prefix, wave_index=w.index, year=w.year))
    if not frames:
        raise InputError(folder, "no wave files found (expected files such as ba_indresp.tab or a_indresp.tab)")
    person_waves = pd.concat(frames, ignore_index=True)
    for c in ("pidp", "hidp", "wave_index"):
        person_waves[c] = person_waves[c].astype("int64")
    person_waves["year"] = person_waves["year"].astype("int64")
    youth = (
        pd.concat(youth_frames, ignore_index=True)
        if youth_frames
        else pd.DataFrame(columns=["pidp", "hidp", "reason1", "reason2", "aspect1", "aspect2", "wave", "wave_index", "year"])
    )
    people["pidp"] = people["pidp"].astype("int64")
    unknown = set(person_waves["pidp"].unique()) - set(people["pidp"])
    if unknown:
        raise InputError(xpath, f"{len(unknown)} person(s) (pidp) of the wave files missing from the cross-wave file")
    return Panel(person_waves=person_waves, people=people, youth=youth, dictionary=d, folder=folder, files=used)


def codes(dictionary: dict, name: str) -> list:
    """Value codes of a derived variable (e.g. ``employed`` -> jbstat codes 1, 2)."""
    try:
        return list(dictionary["codes"][name])
    except KeyError:
        raise InputError(dictionary.get("_path"), f"dictionary lacks codes.{name}") from None


def nssec_three_class(values: pd.Series, dictionary: dict) -> pd.Series:
    """NS-SEC 8-class codes as the files hold them -> the three classes of the report's Table 0.1.

    Returns "higher", "intermediate", "routine" or missing (never worked,
    long-term unemployed, not coded).
    """
    mapping = {int(k): str(v) for k, v in dictionary["codes"]["nssec8_to_table01"].items()}
    table = values.map(lambda v: mapping.get(int(v)) if pd.notna(v) else None)
    out = pd.Series(pd.NA, index=values.index, dtype=object)
    ok = table.notna()
    if ok.any():
        three = nssec_collapse(table[ok].astype(str))
        out[ok] = three.map(
            {
                "Higher managerial, administrative and professional occupations": "higher",
                "Intermediate occupations": "intermediate",
                "Routine and manual occupations": "routine",
            }
        )
    unknown = values.notna() & ~ok
    if unknown.any():
        raise InputError(
            dictionary.get("_path"), f"NS-SEC: {int(unknown.sum())} value(s) not among the codes of codes.nssec8_to_table01"
        )
    return out


__all__ = [
    "Panel",
    "Wave",
    "load_dictionary",
    "load_panel",
    "waves",
    "wave_variables",
    "file_stem",
    "codes",
    "nssec_three_class",
    "DEFAULT_DICTIONARY",
]
