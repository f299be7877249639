"""The output-checking rules of a restricted run, and the words a page may use about them.

The rules (``data/sdc_rules.yml``, read by ``movers.core.source.load_rules``; a missing key takes ACRO's default,
an unknown key or a wrong type is refused):

=====================  =======  ==========================================================================
rule (YAML key)        default  what it withholds (the name a page shows is in ``REASONS``)
=====================  =======  ==========================================================================
threshold              10       a cell, share, group or plotted point resting on fewer people; a share is
                                counted on the smaller category (those with, or those without, the attribute)
zeros_are_disclosive   true     a cell of zero people (everyone in the group shares the attribute)
secondary              true     further cells, so that no withheld cell follows by subtraction from released
                                cells and known totals (rows, columns, 100 per cent, derived columns)
dominance_n,           2, 0.9   a magnitude (mean, total) whose ``n`` largest contributors make up more than
dominance_k                     ``k`` of its total (n-k rule)
p_ratio                0.1      a magnitude whose total less its two largest contributors is under ``p`` of the
                                largest (at n=2, k=0.9 the n-k rule already implies it; it bites when n-k is
                                relaxed)
(always)               -        the minimum and maximum of a continuous variable (a single person's value)
safe_dof               10       every coefficient of a regression with fewer residual degrees of freedom
influence              1.0      a coefficient or marginal effect that leaving out one person would move by
                                more than this many standard errors (``movers.estimators.margins.leave_one_out``: exact
                                DFBETA for least squares, scaled by the residual error without that person;
                                one Newton step for a probit). One extreme income cannot carry a result.
(always)               -        a count of people (a sample size, a regression's observations) that differs
                                by fewer than ``threshold`` people (but not zero) from another count on the
                                same page whose group holds it or is held by it: the difference is a small
                                group (those a missing variable drops from Model 3). Checked across the
                                page as counts are released (``Checker.population``), not table by table
(always)               -        a regression or marginal effect whose group (``cells``) is under the threshold,
                                and a group too small to estimate (singular design, perfect separation, a
                                single cluster)
(always)               -        a cell computed from withheld cells of its row (``derived``: a difference, its
                                p-value, the standard deviation of a 0/1 variable)
=====================  =======  ==========================================================================

The rules are a ``Rules`` value; ``REASONS`` gives each rule's name as a page shows it; ``SUPPRESSED`` is the
one mark of a withheld cell.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from movers.core.errors import InputError
from movers.core.source import DataSource, load_rules

SUPPRESSED = "[c]"  # the ONS convention for a confidential (withheld) cell: the one mark used everywhere

# why a cell was withheld, in words a page may show (never with the counts behind them)
REASONS = {
    "threshold": "fewer people than the threshold",
    "zero": "a zero cell (zeros are disclosive)",
    "dominance": "dominated by its largest contributors (n-k rule)",
    "p-ratio": "too close to its largest contributor (p-ratio rule)",
    "extreme": "a single person's value (minimum or maximum)",
    "secondary": "would let a withheld cell be recovered by subtraction",
    "derived": "computed from a withheld cell",
    "residual df": "too few residual degrees of freedom",
    "not estimable": "group too small to estimate",
    "influence": "one person's removal would move it by more than the influence limit",
    "influence unknown": "its sensitivity to one person's removal was not computed",
    "differencing": "two counts on the page would differ by a small group of people",
    "unchecked": "not passed through the checker",
}


# ----------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class Rules:
    """The output-checking rules (``data/sdc_rules.yml``; defaults follow ACRO)."""

    threshold: int = 10
    safe_dof: int = 10
    dominance_n: int = 2
    dominance_k: float = 0.9
    p_ratio: float = 0.1
    zeros_are_disclosive: bool = True
    secondary: bool = True
    influence: float = 1.0

    @classmethod
    def of(cls, rules: Rules | Mapping[str, Any] | DataSource | None = None) -> Rules:
        """Rules from a mapping (``DataSource.rules``), a data source, or the project's YAML file."""
        if isinstance(rules, Rules):
            return rules
        if isinstance(rules, DataSource):
            rules = rules.rules
        if rules is None:
            rules = load_rules()
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(rules) - known)
        if unknown:
            raise InputError(
                "disclosure-control rules", f"unknown rule(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
        out = {}
        for name, value in rules.items():
            kind = type(getattr(cls(), name))
            ok = (
                isinstance(value, bool)
                if kind is bool
                else (isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0)
            )
            if not ok:
                raise InputError(
                    "disclosure-control rules",
                    f"{name} must be {'true or false' if kind is bool else 'a non-negative number'}, not {value!r}",
                )
            out[name] = kind(value)
        return cls(**out)

    def describe(self, applied: Iterable[str] | None = None) -> list[str]:
        """The rules in words (only those in ``applied``, if given)."""
        words = {
            "threshold": f"at least {self.threshold} people behind every cell, share (counted on the smaller category) and group",
            "zero": "zero cells withheld",
            "secondary": "secondary suppression, so no withheld cell follows by subtraction from released cells and totals",
            "dominance": f"n-k dominance (the {self.dominance_n} largest contributors at most {self.dominance_k:.0%} of a total)",
            "p-ratio": f"p-ratio {self.p_ratio:.0%} (a total less its two largest contributors above {self.p_ratio:.0%} of the largest)",
            "extreme": "no single person's value (minimum or maximum of a continuous variable)",
            "residual df": f"at least {self.safe_dof} residual degrees of freedom for every regression",
            "influence": f"no single person's removal moves a released coefficient by more than {self.influence:g} standard error{'' if self.influence == 1 else 's'}",
            "differencing": f"no two counts of people on the page differ by between 1 and {max(self.threshold - 1, 1)} people "
            "when one group holds the other",
        }
        names = list(words) if applied is None else [n for n in words if n in set(applied)]
        return [words[n] for n in names]
