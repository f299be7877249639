"""A restricted run's page, audited: no number under a threshold, and no withheld cell recoverable by
subtraction, may appear in its HTML, markdown or notebook.

A purpose-made small panel (400 people, 69 movers) holds exactly the small cells of the leaks of issue 16:
nine semi-skilled movers (LS Table 30), seven international migrants among everyone (Table 23), nine
stayers who moved to follow their career (Table 25, whose difference the prose quoted), seven non-white
movers (Table 27). The page is built as a chapter builds it, through the checker; ``audit_page``
then reads the rendered page against the checker's record. The same page built without the checker,
with primary suppression only, or with prose glued from the unchecked table must fail the audit.
"""

import json
import re

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from movers.estimators.results import Estimates
from movers.pages.tables import Table
from movers.sdc.audit import audit_page, audit_run, page_text
from movers.sdc.checker import Checker
from movers.sdc.record import checking_folder, write as write_record
from movers.sdc.suppression import columns_add_up

CLASSES = ["Professional", "Skilled", "Semi-skilled"]
SECURE = "/secure/ls_extract_2011"


def panel() -> pd.DataFrame:
    rng = np.random.default_rng(16)
    stayers, movers = 331, 69
    df = pd.DataFrame(
        {
            "mover": np.r_[np.zeros(stayers, int), np.ones(movers, int)],
            "parent_class": np.r_[np.repeat(CLASSES, [130, 120, 81]), np.repeat(CLASSES, [31, 29, 9])],
            "migrant": np.r_[np.ones(7, int), np.zeros(stayers + movers - 7, int)],
            "career": np.r_[np.ones(9, int), np.zeros(stayers - 9, int), np.ones(26, int), np.zeros(movers - 26, int)],
            "family": np.r_[np.ones(120, int), np.zeros(stayers - 120, int), np.ones(30, int), np.zeros(movers - 30, int)],
            "nonwhite": np.r_[np.ones(40, int), np.zeros(stayers - 40, int), np.ones(7, int), np.zeros(movers - 7, int)],
        }
    )
    df["employed"] = (rng.random(len(df)) < 0.6 + 0.1 * df["mover"]).astype(float)
    return df


def checked_outputs(chk: Checker, df: pd.DataFrame) -> dict:
    """What a chapter computes from the panel, passed through the checker (the chapter's library code)."""
    by = df.groupby("mover")
    n = by.size().rename({0: "Stayers", 1: "Movers"})
    n_with = pd.crosstab(df["parent_class"], df["mover"]).rename(columns={0: "Stayers", 1: "Movers"}).loc[CLASSES]
    t30 = chk.shares("Table 30", n_with / n, n=n, n_with=n_with, relations=columns_add_up(CLASSES, ["Stayers", "Movers"]))
    t23 = chk.describe(
        "Table 23", df[["migrant", "nonwhite"]], labels={"migrant": "International migrant", "nonwhite": "Non-white"}
    )
    ans = df.groupby("mover")[["career", "family"]].agg(["sum", "mean"])
    rows = {"career": "Follow my career", "family": "Be near family"}
    t25 = pd.DataFrame(
        {"Stayer": [100 * ans.loc[0, (k, "mean")] for k in rows], "Mover": [100 * ans.loc[1, (k, "mean")] for k in rows]},
        index=list(rows.values()),
    )
    t25["Difference"] = t25["Mover"] - t25["Stayer"]
    t25["pvalue"] = [0.001, 0.3]
    nw25 = pd.DataFrame(
        {"Stayer": [ans.loc[0, (k, "sum")] for k in rows], "Mover": [ans.loc[1, (k, "sum")] for k in rows]}, index=t25.index
    )
    chk.shares(
        "Table 25",
        t25,
        n={"Stayer": n["Stayers"], "Mover": n["Movers"]},
        n_with=nw25,
        scale=100,
        derived={"Difference": ["Stayer", "Mover"], "pvalue": ["Stayer", "Mover"]},
    )
    x = sm.add_constant(pd.DataFrame({"Mover": df["mover"], "Non-white x mover": df["mover"] * df["nonwhite"]}).astype(float))
    fit = sm.OLS(df["employed"], x).fit()
    coefs = pd.DataFrame({"estimate": fit.params, "se": fit.bse, "pvalue": fit.pvalues}).drop(index="const")
    cells = {"Mover": int(min(n)), "Non-white x mover": int(((df["mover"] == 1) & (df["nonwhite"] == 1)).sum())}
    t27 = chk.estimates(
        "Table 27 Employed",
        Estimates(coefs, nobs=int(fit.nobs), cells=cells, df_resid=fit.df_resid, influence=dict.fromkeys(coefs.index, 0.0)),
    )
    return {"t30": t30, "t23": t23, "t27": t27}


def fmt(v, spec="{:.2f}"):
    return v if isinstance(v, str) else ("" if pd.isna(v) else spec.format(v))


def render(chk: Checker, outs: dict) -> str:
    """The page as MyST markdown, tables and prose, as a chapter renders it (an inactive checker passes all)."""
    src = chk.released
    t30 = Table(src("Table 30").map(fmt), caption="Table 30")
    t23 = Table(
        src("Table 23")[["Mean", "Obs."]]
        .map(fmt)
        .assign(**{"Obs.": lambda d: [f"{int(float(v)):,}" for v in src("Table 23")["Obs."]]}),
        caption="Table 23",
    )
    t25 = Table(src("Table 25").map(lambda v: fmt(v, "{:.1f}")), caption="Table 25")
    coefs = outs["t27"].coefs
    t27 = Table(pd.DataFrame({"Employed": [fmt(v) for v in coefs["estimate"]]}, index=coefs.index), caption="Table 27")
    chk.mark(t27, "Table 27 Employed", column="Employed")
    rows = [
        r for r in chk.released_rows("Table 25", ["Difference", "pvalue"]) if chk.released("Table 25").loc[r, "pvalue"] < 0.05
    ]
    sig = "; ".join(f"{r} (+{chk.glue_text('Table 25', r, 'Difference', '{:.1f}')} points)" for r in rows) or "none"
    share = chk.glue_text("Table 30", "Semi-skilled", "Movers", "{:.2f}")
    prose = f"Significant motivations: {sig}. The share of Semi-skilled parents among movers is {share}."
    return f"{t30.to_markdown()}\n\n{t23.to_markdown()}\n\n{t25.to_markdown()}\n\n{t27.to_markdown()}\n\n{prose}"


def as_html(md: str) -> str:
    """A rough HTML rendering of the markdown page (tables as <table>, prose as <p>), as the book's HTML holds it."""
    out = []
    for block in md.split("\n\n"):
        rows = [ln for ln in block.splitlines() if ln.startswith("|") and not ln.startswith("|:") and not ln.startswith("|-")]
        if rows:
            cells = [[c.strip().replace("\\", "") for c in r.strip("|").split("|")] for r in rows]
            out.append("<table>" + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in cells) + "</table>")
        elif not block.startswith(":::"):
            out.append(f"<p>{block}</p>")
    return "<html><body>" + "\n".join(out) + "</body></html>"


def as_notebook(md: str, chk: Checker) -> dict:
    """An executed notebook: tables as markdown outputs, the glued numbers as glue outputs, prose with roles."""
    tables, prose = md.rsplit("\n\n", 1)
    pre = "application/papermill.record/"  # as myst-nb's glue(..., display=False) stores a value
    glued = [
        {
            "output_type": "display_data",
            "data": {pre + "text/plain": [repr(s)]},
            "metadata": {"scrapbook": {"name": f"g{i}", "mime_prefix": pre}},
        }
        for i, s in enumerate(prose.replace("(", " ").split())
    ]
    return {
        "cells": [
            {"cell_type": "code", "source": [f"data_path = '{SECURE}'"], "outputs": []},
            {
                "cell_type": "code",
                "source": ["show()"],
                "outputs": [{"output_type": "display_data", "data": {"text/markdown": tables}}] + glued,
            },
            {"cell_type": "markdown", "source": ["Significant motivations: {glue:text}`g0`."]},
        ],
        "metadata": {},
    }


@pytest.fixture()
def run():
    chk = Checker("movers_stayers", {})  # restricted: active, ACRO's rules
    outs = checked_outputs(chk, panel())
    return chk, outs


def unchecked_page() -> str:
    """The same page with the checker inactive: what leaked before."""
    raw = Checker("movers_stayers", None, active=False)
    return render(raw, checked_outputs(raw, panel()))


def test_the_panel_holds_the_small_cells_of_the_leaks(run):
    chk, _ = run
    rec = {(o["output"], c["row"], c["column"]): c for o in chk.record()["outputs"] for c in o["cells"]}
    assert rec[("Table 30", "Semi-skilled", "Movers")]["count"] == 9
    assert rec[("Table 23", "International migrant", "Mean")]["count"] == 7
    assert rec[("Table 25", "Follow my career", "Stayer")]["count"] == 9
    assert rec[("Table 27 Employed", "Non-white x mover", "estimate")]["count"] == 7
    assert all(rec[k]["outcome"] == "withheld" for k in rec if rec[k]["count"] in range(10))


def test_a_page_built_through_the_checker_passes_the_audit(run):
    chk, outs = run
    md = render(chk, outs)
    assert "[c]" in md and "Follow my career" not in md.split("Significant motivations:")[1]
    assert audit_page(md, chk.record()) == []
    assert audit_page(as_html(md), chk.record()) == []
    assert audit_page(as_notebook(md, chk), chk.record()) == []
    assert audit_page(json.dumps(as_notebook(md, chk)), chk.record()) == []


def test_a_page_built_without_the_checker_fails_the_audit(run):
    chk, _ = run
    md = unchecked_page()
    for page in (md, as_html(md), as_notebook(md, chk)):
        problems = "\n".join(audit_page(page, chk.record()))
        assert "Table 30: Semi-skilled / Movers printed" in problems  # 0.13 of nine people
        assert "Table 23: International migrant / Mean printed" in problems  # 0.00 of 2,824: seven people
        assert "Table 25: Follow my career / Difference printed" in problems  # the prose's +35.0 points
        assert "Table 27 Employed: Non-white x mover / estimate printed" in problems


def test_primary_suppression_alone_fails_the_audit_by_subtraction():
    chk = Checker("movers_stayers", {"secondary": False})
    outs = checked_outputs(chk, panel())
    md = render(chk, outs)
    assert "0.13" not in md  # the small cell itself is [c] ...
    problems = audit_page(md, chk.record())
    assert "Table 30: Semi-skilled / Movers recoverable by subtraction from the printed cells" in problems  # ... 1 - 0.45 - 0.42


def test_prose_glued_from_the_unchecked_table_fails_the_audit(run):
    chk, outs = run
    md = render(chk, outs)
    diff = next(
        c["value"] for c in chk.record()["outputs"][2]["cells"] if c["row"] == "Follow my career" and c["column"] == "Difference"
    )
    leaky = md + f"\n\nSignificant motivations: Follow my career (+{diff:.1f} points)."  # the sentence
    problems = audit_page(leaky, chk.record())
    assert "Table 25: Follow my career / Difference printed although withheld (computed from a withheld cell)" in problems
    assert "Table 25: Follow my career / Stayer recoverable by subtraction from the printed cells" in problems  # 37.7 - 35.0


def test_a_released_cell_under_the_threshold_fails_the_audit_even_if_the_checker_passed_it(run):
    chk, _ = run
    rec = chk.record()
    for o in rec["outputs"]:  # a checker with a broken threshold: everything released
        for c in o["cells"]:
            c["outcome"], c["rule"] = "released", ""
    problems = audit_page(unchecked_page(), rec)
    assert any(p.startswith("Table 30: Semi-skilled / Movers printed") for p in problems)


def test_glued_values_are_read_into_the_notebook_prose_and_labels_match_whole_words(run):
    chk, outs = run
    diff = next(
        c["value"] for c in chk.record()["outputs"][2]["cells"] if c["row"] == "Follow my career" and c["column"] == "Difference"
    )
    nb = as_notebook(render(chk, outs), chk)
    pre = "application/papermill.record/"
    nb["cells"][1]["outputs"].append(
        {
            "output_type": "display_data",
            "data": {pre + "text/plain": [repr(diff)]},
            "metadata": {"scrapbook": {"name": "gap", "mime_prefix": pre}},
        }
    )
    leak = "Table 25: Follow my career / Difference printed although withheld (computed from a withheld cell)"
    assert leak in audit_page(nb, chk.record())  # the .ipynb holds every glued value, shown in prose or not
    nb["cells"][1]["outputs"][-1]["data"][pre + "text/plain"] = [repr(f"{diff:+.1f}")]
    assert audit_page(nb, chk.record()) == []  # '+35.0' glued but used nowhere, beside no label
    nb["cells"].append({"cell_type": "markdown", "source": ["Follow my career: {glue:text}`gap` points."]})
    assert page_text(nb).splitlines()[-1] == "Follow my career: +35.0 points."
    assert leak in audit_page(nb, chk.record())
    # a numeric row label (an age) is a label, not a number of the line, and does not match inside other numbers
    fig = chk.figure("Figure 1", pd.DataFrame({"rate": [0.31, 0.52], "n": [4, 50]}, index=[34, 35]), "n", value="rate")
    assert pd.isna(fig.loc[34, "rate"])
    assert audit_page("| 35 | 0.52 |\n| 134 | 0.31 |\n| 34.5 | 0.31 |", chk.record()) == []
    assert audit_page("| 34 | 0.31 |", chk.record()) == [
        "Figure 1: 34 / point printed although withheld (fewer people than the threshold)"
    ]


def test_data_paths_on_the_page_fail_the_audit(run):
    chk, outs = run
    md = render(chk, outs)
    assert audit_page(as_notebook(md, chk), chk.record(), secrets=[SECURE]) == []  # code cells are not read ...
    problems = audit_page(md + f"\n\nData read from {SECURE}.", chk.record(), secrets=[SECURE])
    assert problems == ["data path shown: <restricted data>"]  # ... but prose and outputs are


def test_page_text_reads_html_rows_and_sentences():
    text = page_text("<table><tr><td>Skilled</td><td>0.42</td></tr></table><p>One. Two 0.13.</p>")
    assert text.splitlines() == ["Skilled |  0.42 |", "One.", "Two 0.13."]


def test_audit_run_reads_the_notebook_html_and_latex_of_a_run(run, tmp_path):
    chk, outs = run
    assert audit_run("movers_stayers", tmp_path) == {
        "record.json": ["no checker record for movers_stayers: its outputs were not checked"]
    }
    chk.folder = checking_folder("movers_stayers", tmp_path)
    write_record(chk)
    md = render(chk, outs)
    nb = tmp_path / "src" / "chapters" / "movers_stayers.ipynb"
    html = tmp_path / "book" / "_build" / "html" / "chapters" / "movers_stayers.html"
    tex = tmp_path / "book" / "_build" / "latex" / "book.tex"
    for path in (nb, html, tex):
        path.parent.mkdir(parents=True, exist_ok=True)
    nb.write_text(json.dumps(as_notebook(md, chk)))
    html.write_text(as_html(md))
    tex.write_text("\\begin{tabular}{lrr}\nSemi\\-skilled & 0.24 & [c] \\\\\nProfessional & 0.39 & 0.45 \\\\\n\\end{tabular}\n")
    assert audit_run("movers_stayers", tmp_path) == {"movers_stayers.ipynb": [], "movers_stayers.html": [], "book.tex": []}
    tex.write_text(
        "\\begin{tabular}{lrr}\nProfessional & 0.39 & 0.45 \\\\\n\\textbf{Semi\\sphinxhyphen{}skilled} & 0.24 & 0.13 \\\\\n\\end{tabular}\n"
    )
    html.write_text(as_html(unchecked_page()))
    found = audit_run("movers_stayers", tmp_path)
    assert found["movers_stayers.ipynb"] == []
    assert found["book.tex"] == [
        "Table 30: Semi-skilled / Movers printed although withheld (fewer people than the threshold)",
        "Table 30: Skilled / Movers recoverable by subtraction from the printed cells",
    ]  # 1 - 0.45 - 0.13
    assert (
        "Table 30: Semi-skilled / Movers printed although withheld (fewer people than the threshold)"
        in found["movers_stayers.html"]
    )


def test_published_columns_and_plain_copies_of_rich_outputs_are_not_read(run):
    chk, _ = run
    rec = chk.record()
    md = "|  | Movers | Movers (published) |\n|:--|--:|--:|\n| Semi-skilled | [c] | 0.13 |\n| Skilled | [c] | 0.42 |"
    assert audit_page(md, rec) == []  # the report's 0.13 is public, whatever the run's cell holds
    assert audit_page(md.replace("Movers (published)", "Movers again"), rec) != []
    html = (
        "<table><thead><tr><th>x</th><th>Movers</th><th><p>Movers (published)</p></th></tr></thead>"
        "<tbody><tr><td>Semi-skilled</td><td>[c]</td><td><p>0.13</p></td></tr></tbody></table>"
    )
    assert audit_page(html, rec) == []
    assert audit_page(html.replace("(published)", ""), rec) != []
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "source": [],
                "outputs": [
                    {"output_type": "display_data", "data": {"text/markdown": [md], "text/plain": ["Semi-skilled  [c]  0.13"]}}
                ],
            }
        ]
    }
    assert audit_page(nb, rec) == []


def test_numbers_in_output_names_are_not_data():
    chk = Checker("ls_deprived", {})
    est = Estimates(
        pd.DataFrame({"estimate": [0.320919], "se": [0.1], "pvalue": [0.01]}, index=["Non-white"]),
        nobs=600,
        cells={"Non-white": 5},
    )
    chk.estimates("Tables 31-32: Employed", est)
    listing = "| Tables 31-32: Employed | Non-white |  | fewer people than the threshold |"  # the page's list of withheld cells
    assert audit_page(listing, chk.record()) == []
    assert audit_page("| Non-white | 0.32 |", chk.record()) != []
    assert audit_page("| Non-white | 32 |", chk.record()) == []  # a regression estimate is not printed as a percentage
    chk.shares("Table 30 (ages 30-36)", pd.DataFrame({"Movers": [0.30]}, index=["Semi-skilled"]), n=20)  # 6 people
    listing = "| Table 30 (ages 30-36) | Semi-skilled | Movers | fewer people than the threshold |"
    assert audit_page(listing, chk.record()) == []  # '30' of the name is not the share 0.30 as 30 per cent
    assert audit_page("| Semi-skilled | 30 |", chk.record()) != []


def test_the_page_auditor_finds_a_group_recoverable_from_two_printed_counts(effect, ls_like_sample, checker_with_facts):
    """The auditor, independent of the checker: a record whose counts were both released (as before the
    fix, here with a threshold of 5) fails the audit under a threshold of 10."""
    sample = ls_like_sample()
    lax = checker_with_facts(sample, threshold=5)
    lax.estimates("M1", effect(sample.index))
    lax.estimates("M3", effect(sample.index[sample["parent_class"].notna()]))
    record = lax.record()
    record["rules"]["threshold"] = 10
    problems = audit_page("Observations | 376 | 367", record)
    assert any("recoverable by subtraction" in p and "less" in p for p in problems), problems
    strict = checker_with_facts(sample)
    strict.estimates("M1", effect(sample.index))
    strict.estimates("M3", effect(sample.index[sample["parent_class"].notna()]))
    assert audit_page("Observations | 376 | [c]", strict) == []


# ----------------------------------------------------------------------------- the book's own HTML (issue 25, case 13)


def as_sphinx_html(md: str) -> str:
    """``as_html`` as Sphinx writes a table: every cell's text in a paragraph of its own (``<td><p>0.42</p></td>``)."""
    return re.sub(r"<t([dh])>(.*?)</t[dh]>", r'<t\1 class="text-right"><p>\2</p></t\1>', as_html(md))


def test_sphinx_table_cells_are_read_as_one_row_and_a_withheld_value_beside_its_label_is_found(run):
    """The auditor read the built HTML of a restricted page one table cell a line (Sphinx puts each cell in a
    ``<p>``): a row's label stood apart from its numbers, so a withheld share printed in its row was missed."""
    text = page_text("<table><tr><td><p>Skilled</p></td><td><p>0.42</p></td></tr></table>")
    assert [" ".join(line.split()) for line in text.splitlines()] == ["Skilled | 0.42 |"]
    chk, outs = run
    cell = next(c for c in chk.outputs["Table 30"].cells if c["outcome"] == "withheld")  # a withheld movers' share
    lines = render(chk, outs).split("\n")
    i = next(i for i, line in enumerate(lines) if line.startswith(f"| {cell['row']} |"))
    lines[i] = lines[i].replace("[c]", f"{cell['value']:.2f}", 1)  # printed in its row
    leaky = "\n".join(lines)
    assert audit_page(as_html(leaky), chk.record()) != []
    assert audit_page(as_sphinx_html(leaky), chk.record()) != []
    assert audit_page(as_sphinx_html(render(chk, outs)), chk.record()) == []


def test_a_count_of_people_is_not_read_in_a_number_with_decimals():
    """Restricted ``movers_stayers`` built to HTML failed the audit: two models' observations a single person
    apart (the second withheld, [c]), and the page's Holm-adjusted p-value "1.000" was read as that person.
    A count of people is printed as a whole number; "1.000" is not one."""
    chk = Checker("movers_stayers", {})
    assert chk.population("Model 3: observations", range(2000)) and not chk.population("Model 3b: observations", range(1999))
    html = (
        "<table><tr><th><p>Difference</p></th><th><p>p-value</p></th><th><p>Holm-adjusted p-value</p></th></tr>"
        "<tr><td><p>White versus non-white</p></td><td><p>0.331</p></td><td><p>1.000</p></td></tr></table>"
        "<p>Observations: 2,000 and [c].</p>"
    )
    assert audit_page(html, chk.record()) == []
    assert audit_page(html.replace("[c]", "1,999"), chk.record()) != []  # the withheld count itself still is found
