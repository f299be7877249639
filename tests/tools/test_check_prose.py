"""tools/check_prose.py fails on each contradiction issue 23 quotes, passes the sentences as now written, and
movers.pages.words picks the direction word from the sign and prints no sign after it."""

import importlib.util
import sys
from pathlib import Path

import pytest

from movers.core import paths
from movers.pages import words

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("check_prose", ROOT / "tools" / "check_prose.py")
check = importlib.util.module_from_spec(spec)
sys.modules["check_prose"] = check
spec.loader.exec_module(check)


def kinds(text, tables=None):
    return [k for k, _ in check.findings(text, tables)]


@pytest.mark.parametrize(
    "sentence, kind",
    [
        (
            "ONS changed how it estimates the moves of students from the year to mid-2017, which lifted the moves "
            "recorded from then on: England's out-migration rate changed by -0.33 percentage points.",
            "sign after direction word",
        ),
        ("Summed over all flows between groups, women's rates exceed men's by -0.17 moves per 100.", "sign after direction word"),
        ("In net terms these areas gained -15,239 movers of the first group.", "sign after direction word"),
        ("the difference between movers and stayers is £+250 a month in real labour income", "sign after currency"),
        ("2 cell(s) were withheld", "placeholder plural"),
        ("<function render at 0x7f> and <IPython.core.display.Markdown object>", "object repr"),
        ("the shares are nan and 12 per cent", "empty glue"),
    ],
)
def test_each_quoted_contradiction_is_a_finding(sentence, kind):
    assert kind in kinds(sentence)


def test_sentences_written_from_the_sign_pass():
    good = (
        "Women's rates fall short of men's by 0.17 moves per 100. These areas lost 15,239 movers of the first group. "
        "Real labour income is £250 a month higher. Models 1-3 of 2011-2018 add controls; the rate rose in 2012-2013."
    )
    assert kinds(good) == []


def test_labels_and_table_rows_are_not_prose():
    """A label that starts with a direction word, and a PDF table row of coefficients, say nothing about a direction."""
    assert kinds("Parent: intermediate occ. vs routine/manual occ. (Higher managerial occ.: -0.121).") == []
    assert kinds("Male (higher managerial socio eco- 0.142*** (0.036) 0.125 (0.037) 0.162 -0.6 nomic status)") == []


def test_a_count_in_prose_must_be_in_a_table_of_the_page():
    text = "Model 3 is fitted on the 643 people with every answer."
    assert kinds(text, "Observations 520 439 501") == ["count not in any table"]
    assert kinds("Model 3 is fitted on the 1,938 people with every answer.", "Obs. 1,938") == []


def test_an_empty_glue_span_is_found_in_html():
    html = '<main><p>The shares are <span class="pasted-text"></span> per cent.</p><table><tr><td>1</td></tr></table></main>'
    assert [k for k, _ in check.html_findings(html)] == ["empty glue"]


@pytest.mark.parametrize("value, word", [(0.17, "exceed"), (-0.17, "fall short of"), (0.0, "equal")])
def test_direction_word_follows_the_sign_and_the_size_has_none(value, word):
    facts = words.directed("gap", value, "exceed", "fall short of", "equal")
    assert facts == {"gap_word": word, "gap_size": abs(value)}
    assert words.size(-15239.4, 0) == "15,239" and words.size(-250, 0, "£") == "£250"


@pytest.mark.slow
def test_the_built_book_has_no_finding():
    """On the project's built book (``movers build --pdf``); skipped when it has not been built."""
    html = paths.BUILD / "book" / "_build" / "html"
    pdfs = sorted((paths.BUILD / "book" / "_build" / "latex").glob("*.pdf"))
    if not html.is_dir():
        pytest.skip("the book has not been built (python -m movers build --pdf)")
    assert check.check_book(html, pdfs[0] if pdfs else None) == []


def test_a_counted_noun_takes_its_number():
    assert [words.count(n, "cell") for n in (0, 1, 2)] == ["0 cells", "1 cell", "2 cells"]
