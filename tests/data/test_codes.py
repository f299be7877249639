"""LA codes harmonised over 1991-2019 (movers.data.codes): a hand-built panel whose teenager stays put
while the 2009 reorganisation replaces their district (Derwentside, E07000054) by County Durham
(E06000047) shows no spurious mover once the codes are harmonised, and a real move still counts."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from movers.core.errors import InputError
from movers.data import codes as lacodes
from movers.data.geography import Geography
from movers.data.ukhls import Panel, load_dictionary
from movers.strands.micro import movers_stayers as O

DURHAM_2008, DURHAM, LEEDS = "E07000054", "E06000047", "E08000035"


@pytest.fixture
def table(tmp_path):
    path = tmp_path / "lad_lad20x.csv"
    pd.DataFrame(
        {
            "LAD20XCD": [DURHAM, DURHAM, LEEDS],
            "LAD20XNM": ["County Durham", "County Durham", "Leeds"],
            "LADCD": [DURHAM_2008, DURHAM, LEEDS],
        }
    ).to_csv(path, index=False)
    return path


def _geo() -> Geography:
    las = pd.DataFrame(
        {
            "la_code": [DURHAM_2008, DURHAM, LEEDS],
            "la_name": ["Derwentside", "County Durham", "Leeds"],
            "region_code": ["E12000001", "E12000001", "E12000003"],
            "region_name": ["North East", "North East", "Yorkshire"],
            "country": "England",
            "x": [0.0, 1000.0, 0.0],
            "y": [0.0, 0.0, 100000.0],
        }
    )
    return Geography(las=las, neighbours={}, source="hand-built")


def _panel(adult_la: str, harmonise=None, folder=None) -> Panel:
    """A teenager (pidp 10) with a parent in Derwentside in 2005-06, interviewed at 30 in 2019 in ``adult_la``."""
    rows = []
    for wave, year, age, la in ((0, 2005, 16, DURHAM_2008), (1, 2006, 17, DURHAM_2008), (14, 2019, 30, adult_la)):
        hidp = 100 + wave
        rows.append(
            {
                "pidp": 10,
                "wave_index": wave,
                "year": year,
                "age": age,
                "hidp": hidp,
                "la_code": la,
                "father": 1 if age < 20 else np.nan,
                "mother": np.nan,
                "responded": True,
                "jbstat": 2,
                "nssec_current": 3,
                "nssec_last": np.nan,
                "income": 2000.0,
                "marstat": 1,
                "hiqual": 3,
                "n_children": 0,
                "tenure": 1,
            }
        )
        if age < 20:
            rows.append(dict(rows[-1], pidp=1, age=45, father=np.nan))
    pw = pd.DataFrame(rows)
    pw["wave"], pw["survey"] = "w" + pw["wave_index"].astype(str), "ukhls"
    pw = lacodes.add_units(pw, harmonise, folder)
    people = pd.DataFrame({"pidp": [1, 10], "sex": 1, "birth_year": [1960, 1989], "ethnicity": 1, "born_uk": 1})
    youth = pd.DataFrame(columns=["pidp", "hidp", "reason1", "reason2", "aspect1", "aspect2", "wave", "wave_index", "year"])
    return Panel(person_waves=pw, people=people, youth=youth, dictionary=load_dictionary(), folder="hand-built")


def test_no_spurious_mover_across_the_2009_reorganisation(table):
    raw = O.build_sample(_panel(DURHAM), _geo(), None).set_index("pidp").loc[10]
    assert raw["mover"] == 1  # without harmonisation the new code reads as a move
    same = O.build_sample(_panel(DURHAM, {"file": table.name}, table.parent), _geo(), None).set_index("pidp").loc[10]
    assert same["mover"] == 0 and same["distance"] == 0 and same["adult_la"] == DURHAM  # the code itself kept for lookups
    moved = O.build_sample(_panel(LEEDS, {"file": str(table)}), _geo(), None).set_index("pidp").loc[10]
    assert moved["mover"] == 1 and moved["distance"] > 0


def test_table_checks_and_fallbacks(table, tmp_path, monkeypatch):
    h = lacodes.harmonisation({"file": str(table)})
    assert h.applied and h.unit(pd.Series([DURHAM_2008, "E09000001", None])).tolist()[:2] == [DURHAM, "E09000001"]
    assert not lacodes.harmonisation(None).applied
    monkeypatch.setattr(lacodes.paths, "SHARED_PUBLIC", tmp_path / "nowhere")
    absent = lacodes.harmonisation("shared")
    assert not absent.applied and "absent" in absent.source  # falls back cleanly
    with pytest.raises(InputError, match="la_harmonisation"):
        lacodes.harmonisation({"file": "missing.csv"}, tmp_path)
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"LAD20XCD": ["A", "B"], "LADCD": ["X", "X"]}).to_csv(bad, index=False)
    with pytest.raises(InputError, match="more than one"):
        lacodes.read_table(bad)


@pytest.mark.public
def test_shared_table_puts_old_and_new_cornwall_codes_in_one_unit(shared_public):
    h = lacodes.harmonisation("shared")
    units = h.unit(pd.Series(["15UB", "E07000019", "E06000052", "00HN", "E06000058", "E06000047"]))
    assert units.iloc[0] == units.iloc[1] == units.iloc[2]  # Caradon, old-style and GSS, and Cornwall
    assert units.iloc[3] == units.iloc[4] and units.iloc[5] == DURHAM


def test_restricted_runs_harmonise_by_default_and_stop_without_the_table(table, tmp_path, monkeypatch):
    """Issue 13: a real Special Licence panel crosses the 2009 reorganisation, so harmonisation is on by
    default for restricted runs (``auto``), off for the synthetic world, and a restricted run without the
    table stops rather than count spurious movers."""
    assert load_dictionary()["la_harmonisation"] == "auto"
    shared = tmp_path / "public"
    (shared / lacodes.TABLE).parent.mkdir(parents=True)
    (shared / lacodes.TABLE).write_bytes(table.read_bytes())
    monkeypatch.setattr(lacodes.paths, "SHARED_PUBLIC", shared)
    assert lacodes.resolve("auto", "restricted") == "shared" and lacodes.resolve("auto", "synthetic") is None
    assert lacodes.resolve(None, "restricted") is None and lacodes.resolve({"file": "t.csv"}, "synthetic") == {"file": "t.csv"}
    spec = lacodes.resolve("auto", "restricted")
    same = O.build_sample(_panel(DURHAM, spec), _geo(), None).set_index("pidp").loc[10]
    assert same["mover"] == 0  # no spurious mover across 2009 with the default of a restricted run
    assert not lacodes.harmonisation("auto").applied  # unresolved (a loader called without a source): codes as they are
    monkeypatch.setattr(lacodes.paths, "SHARED_PUBLIC", tmp_path / "nowhere")
    with pytest.raises(InputError, match="la_harmonisation: auto"):
        lacodes.resolve("auto", "restricted")


# ------------------------------------------------------------------ the one reader and validator of the table


@pytest.mark.parametrize(
    "content, problem",
    [
        (b"LAD20XCD,LADCD\nA,X\nB,X\n", "more than one harmonised unit"),
        (b"LAD20XCD,CODE\nA,X\n", "needs columns LADCD and LAD20XCD"),
        ("LAD20XCD,LADCD\nE06000047,E07000054\n".encode("utf-16"), "not UTF-8"),
        (b"", "cannot read"),
        (b"LAD20XCD,LADCD\nE06000047,E07000054,extra\n", "more values than the header"),
        (b"LAD20XCD,LADCD\n,E07000054\n", "no rows with both"),
    ],
    ids=["code-in-two-units", "column-missing", "utf16", "empty", "extra-value", "no-pair"],
)
def test_a_malformed_table_is_one_input_error_naming_the_file(tmp_path, content, problem):
    path = tmp_path / "lad_lad20x.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=problem) as err:
        lacodes.read_table(path)
    assert str(path) in str(err.value)
    with pytest.raises(InputError, match="not found"):
        lacodes.read_table(tmp_path / "absent.csv")


def test_members_and_onto_put_old_codes_on_a_later_geography(table):
    h = lacodes.read_table(table)
    assert h.members() == {DURHAM: [DURHAM_2008, DURHAM], LEEDS: [LEEDS]}
    later = h.members(lacodes.NORTHANTS_2021)
    assert later["E06000061"][-1] == "E06000061" and "E07000150" in later["E06000061"]
    assert lacodes.Harmonisation.from_members(later).units["E07000150"] == "E06000061"
    mapped, why = h.onto([DURHAM_2008, LEEDS, "E09000001"], {DURHAM, LEEDS})
    assert mapped == {DURHAM_2008: DURHAM} and why == {"E09000001": "not in the harmonisation table"}
    mapped, why = h.onto([DURHAM], {DURHAM_2008, "E07000055"} | {LEEDS})
    assert mapped == {DURHAM: DURHAM_2008} and not why  # the one authority of the unit on the older geography


@pytest.mark.public
def test_the_one_reader_agrees_with_the_former_three_on_the_real_table(shared_public):
    """The mapping equals what ``schema.harmonisation_table`` (code -> unit) and ``public.read_lad20x`` (unit ->
    codes, with the 2021 Northamptonshire unitaries) produced, rebuilt here with plain pandas."""
    raw = pd.read_csv(shared_public / lacodes.TABLE, dtype=str)
    h = lacodes.read_table(shared_public / lacodes.TABLE)
    assert dict(h.units) == dict(zip(raw["LADCD"], raw["LAD20XCD"]))
    lad20x = raw.groupby("LAD20XCD")["LADCD"].apply(list).to_dict()
    lad20x.update({k: [*v, k] for k, v in lacodes.NORTHANTS_2021.items()})
    members = h.members(lacodes.NORTHANTS_2021)
    assert members == lad20x and list(members) == list(lad20x)
    assert lacodes.harmonisation("shared").units == h.units  # the open-data copy is the same table


def test_no_other_module_reads_the_table():
    """One reader: only ``movers.data.codes`` names the table's columns (the former readers in ``schema`` and
    ``public`` are gone)."""
    package = Path(lacodes.__file__).resolve().parents[1]
    readers = sorted(
        p.relative_to(package).as_posix() for p in package.rglob("*.py") if re.search(r"['\"]LAD20XCD['\"]", p.read_text())
    )
    assert readers == ["data/codes.py"]
