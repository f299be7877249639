"""The yearly flows chapters on open data: their loaders' folder, written from the official downloads.

The yearly chapters (flows_hotcold, flows_ons, flows_imd) read one folder in
the layout of ``movers.strands.flows.models.load``: ``geography/`` (boundaries and the
LA-to-region lookup), ``flows/`` (the ONS detailed estimates, both parts of
every year) and ``nomis/`` (one file per covariate and classification). The
synthetic world writes that layout itself. For open data, :func:`write_folder`
builds it from the files ``python -m movers fetch`` downloads (or the workplace
copy), through the adapters of :mod:`movers.data.public`, with every input put
on the December 2014 authorities of England and Wales:

* flows: the detailed estimates are linked as published (the loader maps
  codes of another LA vintage itself, or rejects them by name);
* population by sex and single year of age: ONS's MYEB1 series as published,
  or, when only the Nomis extract of mid-2011 and mid-2018 is at hand, that
  extract in the MYEB1 layout (those two years only);
* GVA per head: GVA (£ million, current prices) over the MYEB1 population;
* house prices: ``public.house_prices`` (HPSSA dataset 9, median price paid, calendar years);
* total fertility rate: births by age of mother over the female population
  (:func:`tfr_from_births`);
* supergroups, IMD 2010 ranks, the APS rates and the Social Mobility Index 2017
  from their own files.

A file on later codes (a 2019-2021 merged authority) gives its rate to each
former district, as ``public.to_units`` does for the census chapter;
Scotland and Northern Ireland are dropped and counted.

Two controls have no open file for every year: the APS unemployment rate and
the share of residents born outside the UK (their Nomis queries are listed in
``data/datasets.yml``). When their file is absent they are listed in
``OpenYearly.omitted`` and the models are fitted without them; the chapter
says so. Nothing is filled in from another source.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from movers.core.errors import InputError, require_columns
from movers.data import codes as lacodes, manifest as manifests, nomis, ons_flows, public
from movers.data.geography import read_boundaries

# Model controls that may be absent on open data, and the dataset whose file they come from.
OPTIONAL = {"unemployment_rate": "unemployment_model_based", "non_uk_born": "country_of_birth"}
APS_FILES = {"unemployment_model_based": nomis.UNEMPLOYMENT_FILE, "country_of_birth": nomis.BIRTH_FILE}
FIRST_DETAILED_YEAR = 2012  # ONS's detailed estimates start with the year ending June 2012
FEMALE = 2
# the open datasets every yearly chapter needs (besides the detailed estimates and the population)
REQUIRED = (
    "lad_boundaries_2014",
    "gva_la",
    "hpssa9",
    "births_by_age_of_mother",
    "la_classification_2011",
    "imd2010_la_approx",
    "lad_harmonisation_lad20x",
)
CENSUS_GROUP_FILES = ("census2011_migration_nssec_la.csv", "census2011_migration_ethnicity_la.csv")
BIRTH_AGES = {"Under 20", "40 and over", "total", *map(str, range(20, 40))}
STATED_GAP = 15  # births per authority-year whose mother's age may be unstated (the age rows fall short of the total)


@dataclass
class OpenYearly:
    """The folder written for ``movers.strands.flows.models.load``, and what the chapter must say about it."""

    folder: Path
    omitted: list[str] = field(default_factory=list)  # controls with no open file: left out of the models
    notes: list[str] = field(default_factory=list)  # one line per input: where it came from, what was dropped


# --------------------------------------------------------------------------- adapters


def read_births(path, fixed: list | None = None) -> pd.DataFrame:
    """Live births by calendar year, LA of usual residence of the mother and single year of age of the mother
    (``year, gss_code, gss_name, age_mother, value``; ages "Under 20", "20" ... "39", "40 and over", "total")
    as ``year, la_code, age_mother, births`` without the totals.

    The ages of each authority and year must add up to its total, within the births whose mother's age was
    not stated (``STATED_GAP``: a few per authority). One defect of the compilation is repaired, because the
    repair is exact: an authority-year whose "total" and "40 and over" values were swapped (Darlington 2013
    in the GLA file) adds up once they are swapped back; each such repair is appended to ``fixed``. Any other
    mismatch is an error naming the file and the authority-years."""
    df = public._read_csv(path, "births by age of mother", dtype={"gss_code": str, "age_mother": str})
    require_columns(df, ["year", "gss_code", "age_mother", "value"], path)
    df = public._numeric(df, ["year", "value"], path, "births")
    df["la_code"] = public._check_gss(df["gss_code"], path, "gss_code")
    bad = sorted(set(df["age_mother"]) - BIRTH_AGES)
    if bad:
        raise InputError(
            path, f"unknown age_mother value(s): {', '.join(bad[:5])} (expected Under 20, 20-39, 40 and over, total)"
        )
    if (df["value"] < 0).any():
        raise InputError(path, "negative births")
    df["year"] = df["year"].astype(int)
    w = df.pivot_table(index=["la_code", "year"], columns="age_mother", values="value", aggfunc="sum")
    missing = sorted(BIRTH_AGES - set(w.columns))
    if missing:
        raise InputError(path, f"no births for age_mother {', '.join(missing[:5])}")
    gap = w.drop(columns="total").sum(axis=1) - w["total"]
    off = gap.abs() > STATED_GAP
    # swapped back, the other ages plus the stated "total" must give the stated "40 and over"
    swapped = off & ((w.drop(columns=["total", "40 and over"]).sum(axis=1) + w["total"]) - w["40 and over"]).abs().lt(0.5)
    if (off & ~swapped).any():
        keys = [f"{la} {yr}" for la, yr in off[off & ~swapped].index[:5]]
        raise InputError(
            path,
            f"births by age do not add up to the total for {int((off & ~swapped).sum())} authority-year(s): {', '.join(keys)}",
        )
    for la, yr in swapped[swapped].index:
        w.loc[(la, yr), ["total", "40 and over"]] = w.loc[(la, yr), ["40 and over", "total"]].to_numpy()
        if fixed is not None:
            fixed.append(f"{la} {yr}")
    long = w.drop(columns="total").stack().rename("births").reset_index()
    return long[["year", "la_code", "age_mother", "births"]]


def tfr_from_births(births: pd.DataFrame, population: pd.DataFrame, lad20x: dict[str, list[str]]) -> pd.DataFrame:
    """Total fertility rate per harmonised unit and year: the sum of single-year rates of women aged 20-39,
    plus five times the rate of the open groups (births under 20 over women 15-19, births at 40 and over over
    women 40-44), the method of ONS's own area TFRs.

    ``births``: :func:`read_births`; ``population``: la_code, year, sex (2 = female), age, population. Both
    are summed onto the units of the harmonisation table (``codes.Harmonisation.members``) first, so files on
    different LA vintages meet; returns ``la_code`` (the unit), ``year``, ``tfr``. Years without both
    inputs are left out."""
    unit = lacodes.Harmonisation.from_members(lad20x).units
    b = births.assign(la_code=births["la_code"].map(unit).fillna(births["la_code"]))
    women = population[population["sex"] == FEMALE]
    w = women.assign(la_code=women["la_code"].map(unit).fillna(women["la_code"]))
    years = sorted(set(b["year"]) & set(w["year"]))
    b, w = b[b["year"].isin(years)], w[w["year"].isin(years)]
    wa = w.groupby(["la_code", "year", "age"])["population"].sum().unstack("age", fill_value=0.0)
    ba = b.groupby(["la_code", "year", "age_mother"])["births"].sum().unstack("age_mother", fill_value=0.0)
    wa, ba = wa.align(ba, join="inner", axis=0)
    single = sum(ba[str(a)] / wa[a] for a in range(20, 40))
    young = 5 * ba["Under 20"] / wa[list(range(15, 20))].sum(axis=1)
    old = 5 * ba["40 and over"] / wa[list(range(40, 45))].sum(axis=1)
    out = (single + young + old).rename("tfr").replace([np.inf, -np.inf], np.nan).dropna()
    return out.reset_index()


def myeb1_from_syoa(syoa: pd.DataFrame) -> pd.DataFrame:
    """The Nomis extract of ``public.read_syoa`` (year, la_code, sex male/female, age, population) in the
    MYEB1 layout ``movers.data.nomis.population`` reads (one ``population_YYYY`` column per year)."""
    d = syoa.assign(sex=syoa["sex"].map({"male": 1, "female": 2}))
    wide = d.pivot_table(index=["la_code", "sex", "age"], columns="year", values="population", aggfunc="sum")
    wide.columns = [f"population_{y}" for y in wide.columns]
    wide = wide.reset_index().rename(columns={"la_code": "ladcode18"})
    wide.insert(1, "laname18", wide["ladcode18"])
    wide.insert(2, "country", wide["ladcode18"].str[0])
    return wide


def _wide(long: pd.DataFrame, value: str, code_col: str, name_col: str, label: str) -> pd.DataFrame:
    """A long la_code, year, value table in the one-column-per-year layout of ``nomis.read_wide``."""
    w = long.pivot_table(index="la_code", columns="year", values=value, aggfunc="first")
    w.columns = [label.format(y) for y in w.columns]
    return w.reset_index().rename(columns={"la_code": code_col}).assign(**{name_col: lambda d: d[code_col]})


# --------------------------------------------------------------------------- the folder


def _recode(codes: pd.Series, known, lad20x: dict[str, list[str]]) -> pd.Series:
    """Older codes renamed to the one authority of ``known`` that shares their harmonised unit (2011 codes of
    Gateshead or Northumberland, 2018 codes of the Hertfordshire districts; ``codes.Harmonisation.onto``);
    every other code is kept."""
    return codes.replace(lacodes.Harmonisation.from_members(lad20x).onto(codes, known)[0])


def _link(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    if dst.is_symlink() or dst.exists():
        dst.unlink()
    os.symlink(Path(src).resolve(), dst)


def _find(root: Path, name: str, manifest: dict) -> Path | None:
    try:
        return manifests.local_path(root, name, manifest)
    except InputError:
        return None


def _population(root: Path, nom: Path, manifest: dict) -> tuple[pd.DataFrame, str]:
    """Population by LA, sex and single year of age, written to ``nom`` in the MYEB1 layout: ONS's MYEB1 when
    fetched (``population_mye``), else the Nomis extract of mid-2011 and mid-2018."""
    myeb1 = _find(root, "population_mye", manifest)
    if myeb1 is not None:
        _link(myeb1, nom / nomis.POPULATION_FILE)
        what = f"ONS MYEB1 ({myeb1.name})"
    else:
        syoa = _find(root, "population_syoa_2011_2018", manifest)
        if syoa is None:
            raise InputError(root, "no population by single year of age: run `python -m movers fetch population_mye`")
        public.write_csv(myeb1_from_syoa(public.read_syoa(syoa)), nom / nomis.POPULATION_FILE)
        what = f"the Nomis extract of mid-2011 and mid-2018 ({syoa.name}); run `python -m movers fetch population_mye` for the other years"
    long = nomis.population(nom, None, report=[])
    return long[long["la_code"].str[0].isin(["E", "W"])], what


@dataclass(frozen=True)
class _Geography:
    """The authorities every input is put on (``codes``), and the harmonisation table (``lad20x``) that maps
    codes of other vintages onto them."""

    codes: list
    lad20x: dict

    def put(self, df: pd.DataFrame, path, cols, codes=None) -> tuple[pd.DataFrame, str]:
        """``df`` (la_code + ``cols``) on the authorities (``codes``, default all); returns the values and a note."""
        codes = self.codes if codes is None else codes
        df = df.assign(la_code=_recode(df["la_code"], codes, self.lad20x))
        h = public.to_units(df, path, codes, cols, "first", harmonisation=self.lad20x, merged={})
        bits = [f"{h.kept} authorities"]
        if h.spread:
            bits.append(f"later merged codes given to each former district: {len(h.spread)} ({', '.join(h.spread[:4])})")
        if h.dropped:
            bits.append(f"Scottish or Northern Irish codes dropped: {len(h.dropped)}")
        return h.values.rename_axis("la_code").reset_index(), "; ".join(bits)

    def yearly(self, long: pd.DataFrame, value: str, path) -> tuple[pd.DataFrame, str]:
        """A la_code, year, ``value`` table put on the authorities year by year. Years that do not give every
        authority a value are not written, and the note names them."""
        frames, note, partial = [], "", []
        for y, part in long.groupby("year"):
            try:
                v, note = self.put(part[["la_code", value]], path, [value])
            except InputError:
                partial.append(int(y))
                continue
            frames.append(v.assign(year=int(y)))
        if not frames:
            raise InputError(path, f"no year gives {value} for every authority of England and Wales")
        out = pd.concat(frames, ignore_index=True)
        have = sorted(out["year"].unique())
        note = f"{have[0]}-{have[-1]}, {note}"
        if partial:
            note += f"; years without a value for every authority, left out: {len(partial)} ({partial[0]}-{partial[-1]})"
        return out, note


def _link_flows(root: Path, folder: Path, years, manifest: dict) -> str:
    """Both parts of every year's detailed estimates, linked into ``folder`` as published."""
    for y in years:
        name = f"ons_detailed_{y}"
        if name not in manifest:
            raise InputError("parameter 'years'", f"no detailed estimates of {y} are listed in data/datasets.yml")
        for part in (1, 2):
            src = root / manifest[name]["folder"] / ons_flows.detailed_name(y, part)
            if not src.exists():
                raise InputError(src, f"part {part} of the {y} detailed estimates not found: run `python -m movers fetch {name}`")
            _link(src, folder / src.name)
    span = str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"
    return f"flows: ONS detailed estimates, year(s) ending June {span}, both parts of each year"


def _write_gva(need, population, on, nom) -> str:
    total = population.groupby(["la_code", "year"])["population"].sum().rename("pop").reset_index()
    g = public.read_gva(need["gva_la"]).merge(total, on=["la_code", "year"], how="inner")
    g = g[g["la_code"].str[0].isin(["E", "W"])].assign(gva_per_head=lambda d: d["gva"] * 1e6 / d["pop"])
    gw, note = on.yearly(g, "gva_per_head", need["gva_la"])
    public.write_csv(_wide(gw, "gva_per_head", "LAD code", "LA name", "{}"), nom / nomis.GVA_FILE)
    return f"GVA per head: GVA (current prices) over the population, {note}"


def _write_house_prices(need, population, on, nom) -> str:
    hw, note = on.yearly(public.house_prices(need["hpssa9"]), "house_price", need["hpssa9"])
    wide = _wide(hw, "house_price", "Local authority code", "Local authority name", "Year ending Dec {}")
    public.write_csv(wide, nom / nomis.HOUSE_FILE)
    return f"house prices: {public.house_price_text()}, {note}"


def _write_tfr(need, population, on, nom) -> str:
    fixed: list[str] = []
    births = read_births(need["births_by_age_of_mother"], fixed)
    tw, note = on.yearly(tfr_from_births(births, population, on.lad20x), "tfr", need["births_by_age_of_mother"])
    public.write_csv(_wide(tw, "tfr", "Area code", "Area name", "{}"), nom / nomis.TFR_FILE)
    if fixed:
        note += (
            f"; authority-years whose total and 40-and-over births were swapped, swapped back: {len(fixed)} ({', '.join(fixed)})"
        )
    return f"total fertility rate: births by age of mother over the female population, {note}"


def _write_classification(need, population, on, nom) -> str:
    path = need["la_classification_2011"]
    cv, note = on.put(public.read_la_classification(path)[["la_code", "supergroup"]], path, ["supergroup"])
    number = {name: i for i, name in enumerate(nomis.SUPERGROUPS, 1)}
    oac = pd.DataFrame(
        {
            "Code": cv["la_code"],
            "Name": cv["la_code"],
            "Supergroup Code": cv["supergroup"].map(number),
            "Supergroup Name": cv["supergroup"],
        }
    )
    public.write_csv(oac, nom / nomis.OAC_FILE)
    return f"supergroups: 2011 area classification for local authorities, {note}"


def _write_imd(need, population, on, nom) -> str:
    path = need["imd2010_la_approx"]
    english = [c for c in on.codes if c.startswith("E")]
    iv, note = on.put(public.read_imd_la_approx(path)[["la_code", "imd_score"]], path, ["imd_score"], english)
    iv = public.add_quintiles(iv)
    imd = pd.DataFrame(
        {
            "LA CODE": iv["la_code"],
            "LA NAME": iv["la_code"],
            "Average score": iv["imd_score"],
            "Rank of average score": iv["imd_rank"],
        }
    )
    public.write_csv(imd, nom / nomis.IMD_FILE)
    return f"IMD 2010 ranks: LA summary approximated from LSOA scores, {note}"


def write_controls(root, out, manifest: dict | None = None) -> OpenYearly:
    """Write ``out/geography`` and ``out/nomis`` (every control and classification, all the years the open files
    give) from the open files under ``root``: the part of ``write_folder`` that does not need the detailed
    estimates, also read by analyses of authority totals (``movers.strands.flows.yearly``). Each missing required
    input is an ``InputError`` naming the dataset and its ``fetch`` command; the optional controls are listed
    in ``omitted``. ``out`` is rebuilt whole."""
    root, out = Path(root), Path(out)
    manifest = manifest or manifests.load()
    need = {n: manifests.local_path(root, n, manifest) for n in REQUIRED}
    if out.exists():  # a folder this function owns: rebuilt whole, so no input of an earlier run lingers
        shutil.rmtree(out)
    res = OpenYearly(out)
    geo_dir = public.write_geography_folder(need["lad_boundaries_2014"], need["gva_la"], out / "geography")
    codes = [c for c in sorted(read_boundaries(geo_dir / public.BOUNDARY_FILE)["la_code"]) if c[0] in "EW"]
    lad20x = lacodes.read_table(need["lad_harmonisation_lad20x"]).members(lacodes.NORTHANTS_2021)
    nom = out / "nomis"
    nom.mkdir(parents=True, exist_ok=True)
    population, what = _population(root, nom, manifest)
    res.notes.append(f"population by sex and single year of age: {what}")
    on = _Geography(codes, lad20x)
    for write in (_write_gva, _write_house_prices, _write_tfr, _write_classification, _write_imd):
        res.notes.append(write(need, population, on, nom))
    for control, name in OPTIONAL.items():
        src = root / manifest[name]["folder"] / APS_FILES[name]
        if src.exists():
            _link(src, nom / APS_FILES[name])
            res.notes.append(f"{control}: Annual Population Survey via Nomis ({src.name})")
        else:
            res.omitted.append(control)
    smi = root / manifest["social_mobility_index_2017"]["folder"] / nomis.SMI_FILE
    if smi.exists():
        _link(smi, nom / nomis.SMI_FILE)
        res.notes.append(f"hot and cold spots: Social Mobility Index 2017 ({smi.name})")
    else:
        res.omitted.append("smi")
    return res


def write_folder(root, out, years, manifest: dict | None = None) -> OpenYearly:
    """Write ``out/geography``, ``out/flows`` and ``out/nomis`` from the open files under ``root`` (the ``fetch``
    layout) for moves in ``years`` (controls are the year before's): ``write_controls``, then both parts of every
    year's detailed estimates (and the census tables by group when fetched) linked into ``out/flows``."""
    root, out = Path(root), Path(out)
    manifest = manifest or manifests.load()
    years = sorted(int(y) for y in years)
    early = [y for y in years if y < FIRST_DETAILED_YEAR]
    if early:
        raise InputError(
            "parameter 'years'",
            f"ONS's detailed estimates start with the year ending June {FIRST_DETAILED_YEAR}; no open file holds moves in {', '.join(map(str, early))}",
        )
    res = write_controls(root, out, manifest)
    res.notes.insert(0, _link_flows(root, out / "flows", years, manifest))
    groups = root / manifest["census2011_groups"]["folder"] if "census2011_groups" in manifest else None
    for name in CENSUS_GROUP_FILES:
        if groups is not None and (groups / name).exists():
            _link(groups / name, out / "flows" / name)
    return res
