"""Adjusting p-values for the number of tests read together.

Why: the group-difference tables (Table 24 of the BHPS-UKHLS chapter, the differences of Tables 31-32
in the ONS LS chapter) report 10-15 tests each and the prose names those significant at 5 per cent.
Among 15 true nulls, the chance that at least one is "significant" is 1 - 0.95^15, about a half.
Holm's step-down adjustment (Holm 1979) keeps the chance of any false rejection in the family at 5
per cent, under any dependence between the tests, and rejects at least what Bonferroni's does.
"""

from __future__ import annotations

import numpy as np


def holm(pvalues) -> np.ndarray:
    """Holm-adjusted p-values, in the order given.

    Sorted p_(1) <= ... <= p_(m): the adjusted value of p_(i) is max over j <= i of min(1, (m - j + 1) p_(j)).
    Missing p-values (a withheld or inestimable row) stay missing and are not counted in m.
    """
    p = np.asarray(pvalues, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    q = p[ok]
    m = len(q)
    if m == 0:
        return out
    order = np.argsort(q, kind="stable")
    adjusted = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * q[order]))
    back = np.empty(m)
    back[order] = adjusted
    out[ok] = back
    return out


__all__ = ["holm"]
