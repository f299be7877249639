"""The qualitative strand: sample design, sample characteristics, coded themes in words, quotes.

The report's qualitative research (20 focus groups in 10 towns and cities, 39
telephone interviews) is described, not measured: the authors refuse to put
numbers on how many interviewees held a view and speak of "many", "some" and
"few" instead. These functions turn a coded project (read by
:mod:`movers.data.refiqda`) into the same kind of statements, with the
cut-offs between the words as explicit parameters, so a reader can see (and
change) what "many" means. Theme shares are computed only to choose a word;
the chapter never prints them.

Sample characteristics, by contrast, *are* given as percentages in the report,
so they are tabulated as such beside the report's figures.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd

from movers.core import paths
from movers.core.errors import InputError
from movers.core.parameters import ChapterParams
from movers.core.truth import read_truth
from movers.data.qual_codebook import (  # the code book, shared with the synthetic generator
    AGE_BAND,
    AREA,
    CHILDREN,
    COLD,
    DEGREE,
    ETHNICITY,
    FOCUS_GROUP,
    GENDER,
    GROUP,
    GROUP_TYPES,
    HOT,
    INTERVIEW,
    INTERVIEW_TYPES,
    LOCATION,
    METHOD,
    POSTGRAD,
    QUALIFICATION,
    REPORT_INTERVIEWS,
    REQUIRED,
    TYPE,
)
from movers.data.refiqda import QualProject, load as load_refiqda

# The report's stated sample shares ("Characteristics of the research sample"): (method, area) -> {row: share}.
# None for an area means the report gives the share for the method as a whole only.
REPORT_SHARES = {
    (FOCUS_GROUP, None): {"Women": 0.55, "White": 0.89},
    (INTERVIEW, None): {"Women": 0.59, "White": 0.85},
    (FOCUS_GROUP, HOT): {"Bachelor's degree or equivalent": 0.55, "Postgraduate": 0.20, "Dependent children": 0.18},
    (FOCUS_GROUP, COLD): {"Bachelor's degree or equivalent": 0.29, "Postgraduate": 0.07, "Dependent children": 0.48},
}
# the interview figures, which the report gives as counts (people with the characteristic, interviewees)
REPORT_COUNTS = {
    (INTERVIEW, HOT): {"Degree or higher": (22, 29), "Dependent children": (13, 29)},
    (INTERVIEW, COLD): {"Degree or higher": (2, 10), "Dependent children": (8, 10)},
}
REPORT_SHARES.update({k: {row: a / b for row, (a, b) in v.items()} for k, v in REPORT_COUNTS.items()})
# a group this small makes one person move a share a long way (the prose says so where it matters)
SMALL_GROUP = 10

# quantity words from the most to the fewest people: thresholds must keep this order ("many" above "some")
WORD_ORDER = ("all", "almost all", "most", "many", "several", "some", "a few", "few")


@dataclass(frozen=True, kw_only=True)
class QualParams(ChapterParams):
    """The parameters of ``qualitative``: names and types here, defaults in ``params/qualitative.yml`` only."""

    chapter: ClassVar[str] = "qualitative"

    source: str
    data_path: str
    thresholds: dict[str, float]
    none_word: str
    cooccurrence_unit: str
    quote_themes: tuple[str, ...]
    quote_type: str
    quote_count: int
    quote_seed: int
    quote_max_chars: int


PROJECT_FOLDER = "qual"
NO_PUBLIC_DATA = (
    "Interview and focus-group transcripts are personal data and are not published, so there is no open version "
    "of this strand: with source=public the chapter shows the synthetic project instead. Run it with "
    "source=restricted and data_path=<your .qdpx file or folder> to analyse a real coded project."
)


def project_location(source: str, data_path: str) -> tuple[str, Path, str]:
    """Where the chapter's project lives: (source actually used, path, note for the reader).

    ``data_path`` may name a ``.qdpx`` file or a folder (a tidy-CSV folder, or
    one holding a single ``.qdpx``). Without it the project is the ``qual``
    folder of the data source; ``public`` has none (transcripts are never open
    data) and falls back to the synthetic project, saying so.
    """
    if data_path:
        p = Path(data_path).expanduser()
        p = p if p.is_absolute() else paths.ROOT / p
        if not p.exists():
            raise InputError(p, f"parameter 'data_path' names no file or folder (source={source})")
        return source, p, ""
    note = ""
    if source == "public":
        source, note = "synthetic", NO_PUBLIC_DATA
    folder = paths.data_dir(source) / PROJECT_FOLDER
    if not folder.exists():
        raise InputError(folder, f"no qualitative project for source={source} (run `python -m movers generate --only qual`)")
    return source, folder, note


def load_project(source: str, data_path: str) -> tuple[QualProject, dict, str, str]:
    """Read the chapter's project with the attributes it needs: (project, truth or {}, source used, note)."""
    used, path, note = project_location(source, data_path)
    project = load_refiqda(path, required=REQUIRED)
    participants_of(project)
    truth = read_truth(path if path.is_dir() else path.parent) if used == "synthetic" else {}
    return project, truth, used, note


def participants_of(project: QualProject) -> pd.DataFrame:
    """Participants with the attributes the chapter needs, checked; the one place the attribute names are enforced."""
    project.check(REQUIRED)
    people = project.participants.copy()
    bad = sorted(set(people[METHOD]) - {FOCUS_GROUP, INTERVIEW})
    if bad:
        raise InputError(
            project.path or project.name,
            f"attribute {METHOD!r} must be {FOCUS_GROUP!r} or {INTERVIEW!r}; found {', '.join(map(str, bad))}",
        )
    bad = sorted(set(people[AREA]) - {COLD, HOT})
    if bad:
        raise InputError(
            project.path or project.name, f"attribute {AREA!r} must be {COLD!r} or {HOT!r}; found {', '.join(map(str, bad))}"
        )
    people[CHILDREN] = people[CHILDREN].map(_truthy)
    return people


def _truthy(v) -> bool:
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    return str(v).strip().lower() in ("true", "yes", "1", "y")


# --------------------------------------------------------------------------- sample design


def focus_group_design(project: QualProject) -> pd.DataFrame:
    """Focus groups and participants per location and age band, with the location's area type (the report's location list)."""
    people = participants_of(project)
    fg = people[people[METHOD] == FOCUS_GROUP]
    for col in (LOCATION, AGE_BAND):
        if col not in fg.columns or fg[col].isna().any():
            raise InputError(project.path or project.name, f"focus-group participants need the attribute {col!r}")
    counts = fg.groupby([AREA, LOCATION, AGE_BAND]).size().unstack(AGE_BAND, fill_value=0)
    out = counts.rename(columns=lambda b: f"Participants aged {b}")
    groups = (
        fg.groupby([AREA, LOCATION])[GROUP].nunique() if GROUP in fg.columns else fg.groupby([AREA, LOCATION])[AGE_BAND].nunique()
    )
    out.insert(0, "Focus groups", groups)
    out["Participants"] = counts.sum(axis=1)
    out = out.reset_index().sort_values([AREA, LOCATION]).set_index(LOCATION)
    return out


def interview_design(project: QualProject) -> pd.DataFrame:
    """Interviews by interviewee type beside the report's sample split."""
    people = participants_of(project)
    iv = people[people[METHOD] == INTERVIEW]
    n = iv[TYPE].value_counts()
    types = list(INTERVIEW_TYPES) + sorted(set(n.index) - set(INTERVIEW_TYPES))
    out = pd.DataFrame(
        {"Interviewees": [int(n.get(t, 0)) for t in types], "Report": [REPORT_INTERVIEWS.get(t) for t in types]},
        index=pd.Index(types, name="Interviewee type"),
    )
    out.loc["Total"] = [int(out["Interviewees"].sum()), sum(REPORT_INTERVIEWS.values())]
    return out


# --------------------------------------------------------------------------- sample characteristics


def characteristics(project: QualProject) -> pd.DataFrame:
    """Shares of each characteristic by method and area type (the report's comparisons), plus each method overall.

    Columns are (method, area) pairs with "All" for the method as a whole;
    the last row gives the number of participants in the column.
    """
    people = participants_of(project)
    rows = {
        "Women": people[GENDER].astype(str).str.lower().isin(["woman", "female", "women"]),
        "White": people[ETHNICITY].astype(str).str.lower().str.startswith("white"),
        "Bachelor's degree or equivalent": people[QUALIFICATION] == DEGREE,
        "Postgraduate": people[QUALIFICATION] == POSTGRAD,
        "Degree or higher": people[QUALIFICATION].isin([DEGREE, POSTGRAD]),
        "Dependent children": people[CHILDREN].astype(bool),
    }
    flags = pd.DataFrame(rows)
    cols = {}
    for method in (FOCUS_GROUP, INTERVIEW):
        for area in (COLD, HOT, None):
            keep = (people[METHOD] == method) & ((people[AREA] == area) if area else True)
            sub = flags[keep]
            cols[(method, area or "All")] = list(sub.mean()) + [int(keep.sum())] if keep.any() else [np.nan] * len(rows) + [0]
    out = pd.DataFrame(cols, index=list(rows) + ["Participants"])
    out.columns = pd.MultiIndex.from_tuples(out.columns, names=["method", "area"])
    return out


def compare_with_report(chars: pd.DataFrame) -> pd.DataFrame:
    """Long table of every share the report states, beside the same share in this sample."""
    recs = []
    for (method, area), shares in REPORT_SHARES.items():
        for row, published in shares.items():
            col = (method, area or "All")
            recs.append(
                {
                    "Method": method,
                    "Area": area or "All",
                    "Characteristic": row,
                    "This sample": float(chars.loc[row, col]),
                    "Report": float(published),
                    "Participants": int(chars.loc["Participants", col]),
                }
            )
    return pd.DataFrame(recs)


# --------------------------------------------------------------------------- themes


def check_thresholds(thresholds: Mapping[str, float]) -> list[tuple[str, float]]:
    """Thresholds as (word, minimum share) pairs from the most to the least frequent; wrong values raise InputError."""
    if not isinstance(thresholds, Mapping) or not thresholds:
        raise InputError("parameter 'thresholds'", "must map words such as many/some/few to minimum shares")
    pairs = []
    for word, value in thresholds.items():
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 1:
            raise InputError("parameter 'thresholds'", f"the share for {word!r} must be a number between 0 and 1, got {value!r}")
        pairs.append((str(word), float(value)))
    pairs.sort(key=lambda p: -p[1])
    if len({v for _, v in pairs}) != len(pairs):
        raise InputError("parameter 'thresholds'", f"two words share one minimum: {dict(pairs)}")
    ranked = [w for w, _ in pairs if w.lower() in WORD_ORDER]
    expected = sorted(ranked, key=lambda w: WORD_ORDER.index(w.lower()))
    if ranked != expected:
        first = next(i for i, (a, b) in enumerate(zip(ranked, expected)) if a != b)
        more, fewer = expected[first], ranked[first]
        raise InputError(
            "parameter 'thresholds'",
            f"{more!r} must have a higher minimum share than {fewer!r} (got {thresholds[more]} and {thresholds[fewer]}): "
            f"the words go from most to fewest ({', '.join(w for w in WORD_ORDER if w in {x.lower() for x in ranked})})",
        )
    return pairs


def quantify(share: float, thresholds: Mapping[str, float], none_word: str) -> str:
    """The word for a share of participants: the first word whose minimum the share reaches.

    A minimum of 0 means "at least one participant", so a share of exactly
    zero is ``none_word`` whatever the thresholds say.
    """
    if share is None or not np.isfinite(share):
        return ""
    if share <= 0:
        return none_word
    for word, low in check_thresholds(thresholds):
        if share >= low:
            return word
    return none_word


def theme_presence(project: QualProject, themes: Sequence[str] | None = None) -> pd.DataFrame:
    """Participant x theme table of booleans: whether any of the participant's segments is coded with the theme.

    Counting people, not segments, is what "many interviewees said ..." means:
    one talkative participant coded ten times is still one voice. Segments no
    case claims (e.g. the moderator's) are left out.
    """
    people = participants_of(project)
    seg = project.segments.dropna(subset=["participant"])
    themes = list(themes) if themes is not None else coded_themes(project)
    unknown = sorted(set(themes) - set(project.codes["code"]))
    if unknown:
        raise InputError(
            "parameter 'themes'", f"unknown theme(s) {', '.join(unknown)}; the code book has {', '.join(project.codes['code'])}"
        )
    hit = pd.crosstab(seg["participant"], seg["code"]).reindex(index=people.index, columns=themes, fill_value=0) > 0
    return hit


def coded_themes(project: QualProject) -> list[str]:
    """Codes used to code at least one segment, in code-book order (parent categories that are never applied drop out)."""
    used = set(project.segments["code"])
    return [c for c in project.codes["code"] if c in used]


def participant_type(people: pd.DataFrame) -> pd.Series:
    """Interviewee type for interviews; for focus-group members, 'Focus group, <area>' (the report's other comparison)."""
    fg = people[METHOD] == FOCUS_GROUP
    return people[TYPE].where(~fg, "Focus group, " + people[AREA].str.lower())


def theme_shares(project: QualProject, themes: Sequence[str] | None = None) -> pd.DataFrame:
    """Share of participants of each type whose account is coded with each theme (used to pick words, never shown)."""
    people = participants_of(project)
    hit = theme_presence(project, themes)
    kind = participant_type(people)
    order = [t for t in list(INTERVIEW_TYPES) + list(GROUP_TYPES) if t in set(kind)] + sorted(
        set(kind) - set(INTERVIEW_TYPES) - set(GROUP_TYPES)
    )
    return hit.groupby(kind).mean().T.reindex(columns=order)


def themes_in_words(shares: pd.DataFrame, thresholds: Mapping[str, float], none_word: str) -> pd.DataFrame:
    """Replace every share by its word, so the table says what the report would say and no more."""
    check_thresholds(thresholds)
    return shares.apply(lambda col: col.map(lambda s: quantify(s, thresholds, none_word)))


def truth_in_words(truth: Mapping, thresholds: Mapping[str, float], none_word: str) -> pd.DataFrame:
    """The generating prevalences of a synthetic project (``truth['theme_prevalence']``), in the same words."""
    prev = pd.DataFrame(truth["theme_prevalence"])  # columns: themes, index: types
    return themes_in_words(prev.T, thresholds, none_word)


def word_agreement(found: pd.DataFrame, true: pd.DataFrame) -> float:
    """Share of theme x type cells where the sample's word equals the generating word."""
    common_r = [r for r in found.index if r in true.index]
    common_c = [c for c in found.columns if c in true.columns]
    a, b = found.loc[common_r, common_c], true.loc[common_r, common_c]
    return float((a == b).to_numpy().mean()) if a.size else float("nan")


# --------------------------------------------------------------------------- co-occurrence


def cooccurrence(project: QualProject, unit: str, themes: Sequence[str] | None = None) -> pd.DataFrame:
    """Symmetric theme x theme counts of co-occurrence; the diagonal counts the theme alone.

    ``unit="participant"``: participants whose accounts carry both codes
    (which themes go together in people's stories). ``unit="segment"``:
    pairs of codes applied to overlapping text in the same source (which
    themes a single passage joins), the usual co-occurrence of QDA software.
    """
    themes = list(themes) if themes is not None else coded_themes(project)
    if unit == "participant":
        hit = theme_presence(project, themes).astype(int)
        return hit.T @ hit
    if unit != "segment":
        raise InputError("parameter 'cooccurrence_unit'", f"must be 'participant' or 'segment', not {unit!r}")
    out = pd.DataFrame(0, index=themes, columns=themes)
    seg = project.segments[project.segments["code"].isin(themes)]
    for _, grp in seg.groupby("source"):
        g = grp.sort_values("start")
        starts, ends, codes = g["start"].to_numpy(), g["end"].to_numpy(), g["code"].to_numpy()
        for c in codes:
            out.loc[c, c] += 1
        pairs = set()
        for i in range(len(g)):
            j = i + 1
            while j < len(g) and starts[j] < ends[i]:
                if codes[i] != codes[j]:
                    pairs.add((min(i, j), max(i, j)))
                j += 1
        for i, j in pairs:
            out.loc[codes[i], codes[j]] += 1
            out.loc[codes[j], codes[i]] += 1
    return out


def heatmap(matrix: pd.DataFrame, title: str = "", short: Mapping[str, str] | None = None):
    """Seaborn heatmap of a co-occurrence matrix: the lower triangle of pairs, each theme's own count in its label.

    The diagonal (a theme with itself) is far larger than any pair and would
    wash out the colour scale, so it moves into the labels; the upper triangle
    repeats the lower and is left out.
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    m = matrix.rename(index=short or {}, columns=short or {})
    labels = [f"{t} ({int(m.iloc[i, i])})" for i, t in enumerate(m.index)]
    m.index, m.columns = labels, labels
    pairs = m.iloc[1:, :-1]
    mask = np.triu(np.ones(pairs.shape, dtype=bool), k=1)
    fig, ax = plt.subplots(figsize=(9, 8))
    sns.heatmap(
        pairs,
        mask=mask,
        annot=True,
        fmt="d",
        cmap="Blues",
        cbar_kws={"label": "count", "shrink": 0.7},
        square=True,
        linewidths=0.5,
        linecolor="white",
        ax=ax,
        annot_kws={"size": 8},
    )
    ax.grid(False)
    ax.set_yticklabels([textwrap.fill(t.get_text(), 32) for t in ax.get_yticklabels()], rotation=0, fontsize=9)
    ax.set_xticklabels([t.get_text() for t in ax.get_xticklabels()], rotation=55, ha="right", rotation_mode="anchor", fontsize=9)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_title(title)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- quotes


def describe_participant(people: pd.DataFrame, name: str) -> str:
    """Attribution line for a quote, in the report's style: method, type, gender, age band, no name."""
    p = people.loc[name]
    if p[METHOD] == FOCUS_GROUP:
        where = p.get(LOCATION, "") or ""
        band = p.get(AGE_BAND, "") or ""
        return f"Focus group participant, {where}, aged {band}, {str(p[GENDER]).lower()}".replace(", , ", ", ")
    return f"Interviewee, {str(p[TYPE]).lower()}, {str(p[GENDER]).lower()}"


def select_quotes(
    project: QualProject, theme: str, interviewee_type: str | None, *, count: int, seed: int, max_chars: int
) -> pd.DataFrame:
    """Pick ``count`` illustrative quotes for a theme, at most one per participant, reproducibly from ``seed``.

    Drawing at random (with a recorded seed) rather than hand-picking keeps
    the selection honest and repeatable; ``interviewee_type`` limits it to
    one type (an interview type or 'Focus group, cold spot'...).
    """
    if theme not in set(project.codes["code"]):
        raise InputError(
            "parameter 'quote_themes'", f"unknown theme {theme!r}; the code book has {', '.join(project.codes['code'])}"
        )
    if not isinstance(count, int) or count < 1:
        raise InputError("parameter 'quote_count'", f"must be a positive whole number, not {count!r}")
    people = participants_of(project)
    kind = participant_type(people)
    if interviewee_type and interviewee_type not in set(kind):
        raise InputError(
            "parameter 'quote_type'", f"unknown interviewee type {interviewee_type!r}; known: {', '.join(sorted(set(kind)))}"
        )
    seg = project.segments[(project.segments["code"] == theme) & project.segments["participant"].notna()]
    if interviewee_type:
        seg = seg[seg["participant"].map(kind) == interviewee_type]
    if seg.empty:
        return pd.DataFrame(columns=["Quote", "Participant"])
    rng = np.random.default_rng(seed)
    seg = seg.iloc[rng.permutation(len(seg))].drop_duplicates("participant")
    # prefer passages that open differently, so three quotes are three points rather than one point three times
    opening = seg["text"].str.split().str[:4].str.join(" ")
    seg = pd.concat([seg[~opening.duplicated()], seg[opening.duplicated()]]).head(count)
    text = seg["text"].str.strip().map(lambda t: t if len(t) <= max_chars else t[: max_chars - 1].rsplit(" ", 1)[0] + "…")
    return pd.DataFrame({"Quote": text.to_numpy(), "Participant": [describe_participant(people, p) for p in seg["participant"]]})


# --------------------------------------------------------------------------- what the chapter's prose quotes


def report_counts_text() -> str:
    """The report's interview figures as it gives them ("22 of 29, 2 of 10..."), from ``REPORT_COUNTS``."""
    return ", ".join(f"{a} of {b}" for shares in REPORT_COUNTS.values() for a, b in shares.values())


def design_facts(project: QualProject) -> dict:
    """Numbers of the sample design section (glued, never typed)."""
    fg, iv, people = focus_group_design(project), interview_design(project), participants_of(project)
    return {
        "q_n_groups": int(fg["Focus groups"].sum()),
        "q_n_locations": len(fg),
        "q_n_cold_loc": int((fg[AREA] == COLD).sum()),
        "q_n_hot_loc": int((fg[AREA] == HOT).sum()),
        "q_n_fg": int(fg["Participants"].sum()),
        "q_n_iv": int(iv.loc["Total", "Interviewees"]),
        "q_n_c2h": int(iv.loc["Cold to hot spot", "Interviewees"]),
        "q_n_c2c": int(iv.loc["Cold to same cold spot", "Interviewees"]),
        "q_n_smallest": int(iv.drop(index="Total")["Interviewees"].replace(0, np.nan).min()),
        "q_max_group": int(people[people[METHOD] == FOCUS_GROUP].groupby(GROUP).size().max()),
    }


def threshold_facts(thresholds: Mapping[str, float]) -> dict:
    words = dict(check_thresholds(thresholds))
    return {
        "q_many": 100 * words.get("many", float("nan")),
        "q_some": 100 * words.get("some", float("nan")),
        "q_small_group": SMALL_GROUP,
    }


def sample_facts(project: QualProject) -> dict:
    """Shares and counts of the sample-characteristics prose, and the largest gap to the report's shares."""
    chars = characteristics(project)
    cmp = compare_with_report(chars)

    def pct(m, a, row):
        return 100 * float(chars.loc[row, (m, a)])

    def count(m, a, row):
        return int(round(float(chars.loc[row, (m, a)]) * int(chars.loc["Participants", (m, a)])))

    fg, iv = FOCUS_GROUP, INTERVIEW
    return {
        "q_fg_women": pct(fg, "All", "Women"),
        "q_iv_women": pct(iv, "All", "Women"),
        "q_fg_white": pct(fg, "All", "White"),
        "q_iv_white": pct(iv, "All", "White"),
        "q_fg_hot_ba": pct(fg, HOT, DEGREE),
        "q_fg_hot_pg": pct(fg, HOT, POSTGRAD),
        "q_fg_cold_ba": pct(fg, COLD, DEGREE),
        "q_fg_cold_pg": pct(fg, COLD, POSTGRAD),
        "q_iv_hot_deg": count(iv, HOT, "Degree or higher"),
        "q_iv_cold_deg": count(iv, COLD, "Degree or higher"),
        "q_iv_hot_n": int(chars.loc["Participants", (iv, HOT)]),
        "q_iv_cold_n": int(chars.loc["Participants", (iv, COLD)]),
        "q_fg_hot_kids": pct(fg, HOT, "Dependent children"),
        "q_fg_cold_kids": pct(fg, COLD, "Dependent children"),
        "q_iv_hot_kids": count(iv, HOT, "Dependent children"),
        "q_iv_cold_kids": count(iv, COLD, "Dependent children"),
        "q_max_gap": float(100 * (cmp["This sample"] - cmp["Report"]).abs().max()),
        "q_report_counts": report_counts_text(),
    }


def characteristics_frame(project: QualProject) -> pd.DataFrame:
    """Table Q.3: shares in per cent by method and area type, and the number of participants of each column."""
    chars = characteristics(project)
    shown = (100 * chars.drop(index="Participants")).copy()
    shown.loc["Participants"] = chars.loc["Participants"].astype(int)
    shown.columns = [f"{m}s, {a.lower() if a != 'All' else 'all'}" for m, a in shown.columns]
    return shown


def comparison_frame(project: QualProject) -> pd.DataFrame:
    """Table Q.4: every share the report states beside this sample's, in per cent."""
    cmp = compare_with_report(characteristics(project))
    c = cmp.assign(**{"This sample": 100 * cmp["This sample"], "Report": 100 * cmp["Report"]})
    c.index = [f"{m}s, {a.lower() if a != 'All' else 'all'}: {r}" for m, a, r in zip(c["Method"], c["Area"], c["Characteristic"])]
    return c[["This sample", "Report", "Participants"]]


THEME_PROSE = {
    "bored": "Boredom and lack of opportunity at home",
    "he": "Leaving for higher education",
    "parent": "Early parenthood",
    "work": "Straight from school into local work",
}
MOVERS_TYPE, STAYERS_TYPE = "Cold to hot spot", "Cold to same cold spot"


def theme_facts(found: pd.DataFrame, true_words: pd.DataFrame | None, people: pd.DataFrame) -> dict:
    """The words the prose quotes for movers and stayers, and (synthetic data) how often they match the truth."""
    out = {}
    for key, theme in THEME_PROSE.items():
        for who, col in (("movers", MOVERS_TYPE), ("stayers", STAYERS_TYPE)):
            out[f"q_{key}_{who}"] = found.loc[theme, col] if theme in found.index and col in found.columns else "(not coded)"
    out["q_truth_sentence"] = ""
    if true_words is not None:
        agree, cells = int((found == true_words).to_numpy().sum()), int(found.size)
        size = participant_type(people).value_counts()
        small = [c for c in found.columns if size.get(c, 0) < SMALL_GROUP]
        miss_small = int((found[small] != true_words[small]).to_numpy().sum())
        out["q_truth_sentence"] = (
            f"Because the project is synthetic, the words can be checked against the prevalences that generated it "
            f"(Table Q.6): the sample's word matches the generating word in {agree} of {cells} cells, and {miss_small} "
            f"of the {cells - agree} mismatches are in groups of fewer than {SMALL_GROUP} people, where one person "
            "moves a share a long way."
        )
    return out


def true_words_frame(truth: Mapping, found: pd.DataFrame, thresholds: Mapping[str, float], none_word: str) -> pd.DataFrame | None:
    """Table Q.6 (synthetic data only): the generating prevalences in the same words, laid out as Table Q.5."""
    if not truth:
        return None
    return truth_in_words(truth, thresholds, none_word).reindex(index=found.index, columns=found.columns)


def thresholds_note(thresholds: Mapping[str, float], none_word: str) -> str:
    words = ", ".join(f"{w} {100 * v:.0f}%" for w, v in check_thresholds(thresholds))
    return f"A group's word is the first whose minimum share of its members the theme reaches: {words}; {none_word}: nobody. Shares are not shown."


def cooccurrence_facts(co: pd.DataFrame, unit: str) -> dict:
    """The pair of themes that co-occur most often, and what a count means for ``unit``."""
    off = co.where(~np.eye(len(co), dtype=bool)) if len(co) else co
    pair = off.stack().idxmax() if off.notna().any().any() else ("", "")
    words = "participants whose accounts carry both codes" if unit == "participant" else "codes applied to overlapping passages"
    return {"q_pair_a": pair[0], "q_pair_b": pair[1], "q_unit_words": words}


def quote_facts(source: str, *, params: QualParams) -> dict:
    """The rule that chose the quotes (``quote_count``, ``quote_seed``, ``quote_type``) in words; ``source``: the one used."""
    rule = f"{params.quote_count} per theme, drawn at random with seed {params.quote_seed}, at most one per participant"
    rule += f", from {params.quote_type.lower()} participants" if params.quote_type else ""
    note = "The text is invented by the synthetic generator; no real person said it." if source == "synthetic" else ""
    return {"q_quote_rule": rule, "q_quote_note": note}


def quotes(project: QualProject, *, params: QualParams) -> pd.DataFrame:
    """``select_quotes`` for every theme of ``quote_themes`` in one table (theme, quote, participant), by the rule of
    ``quote_type``, ``quote_count``, ``quote_seed`` and ``quote_max_chars``; a theme without a matching passage gets
    one row saying so."""
    parts = []
    for theme in params.quote_themes:
        q = select_quotes(
            project,
            theme,
            params.quote_type or None,
            count=params.quote_count,
            seed=params.quote_seed,
            max_chars=params.quote_max_chars,
        )
        if q.empty:
            q = pd.DataFrame({"Quote": ["(no coded passage matches)"], "Participant": [""]})
        parts.append(q.assign(Theme=theme))
    out = pd.concat(parts, ignore_index=True)
    out.index = [f"“{t}”" if not t.startswith("(") else t for t in out.pop("Quote")]
    return out[["Theme", "Participant"]]
