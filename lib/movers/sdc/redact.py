"""What may leave a restricted run besides its checked outputs: messages and failed notebooks scrubbed of
paths, identifiers and raw values (``scrub``); the run's path parameters redacted where a page or notebook
shows them (``redact_params``, ``redact_notebook``); a model that cannot be estimated on a small group
withheld with its reason (``estimable``, ``Withheld``) instead of a crash whose message could show data.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationError, PerfectSeparationWarning

# ----------------------------------------------------------------------------- hygiene: parameters of a restricted run

SECURE_PATH = "<secure path>"
PATH_KEYS = ("data_path", "aux_path", "dictionary", "sdc_rules")  # the parameters that name files or folders


def redact_params(prm: Mapping, source: str | None = None, keys: Sequence[str] = PATH_KEYS) -> dict:
    """``prm`` for display: on a restricted run (``source``, else ``prm['source']``) every non-empty path
    parameter reads ``<secure path>``, so the "Parameters of this run" box names no secure location.
    Other sources are returned unchanged (a copy)."""
    out = dict(prm)
    if (source or out.get("source")) == "restricted":
        out.update({k: SECURE_PATH for k in keys if out.get(k)})
    return out


def redact_notebook(nb, prm: Mapping, keys: Sequence[str] = PATH_KEYS):
    """An executed notebook of a restricted run with its path parameters redacted where papermill put them:
    the injected-parameters cell and ``metadata.papermill.parameters`` (the runner's own provenance,
    ``metadata.movers``, is left to the runner). Changes ``nb`` in place and returns it; other sources untouched."""
    if prm.get("source") != "restricted":
        return nb
    secrets = [str(prm[k]) for k in keys if prm.get(k)]
    for cell in nb.get("cells", []):
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            src = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            for s in sorted(secrets, key=len, reverse=True):
                src = src.replace(repr(s), repr(SECURE_PATH)).replace(s, SECURE_PATH)
            cell["source"] = src
    pm = nb.get("metadata", {}).get("papermill", {})
    if isinstance(pm.get("parameters"), dict):
        pm["parameters"] = redact_params(pm["parameters"], "restricted", keys)
    return nb


# ----------------------------------------------------------------------------- hygiene: scrubbing text


_ID_WORDS = r"\b(pidp|hidp|pid|lsnum|ls_?id|member(?: id)?|person(?: id)?|id)\b"
_ID = re.compile(_ID_WORDS + r"(\s*[=:]?\s*)(-?\d+)", re.IGNORECASE)
# six digits or more, also grouped by commas (1,234,567); a number followed by ", " (a list) is one too
_LONG_NUMBER = re.compile(r"(?<![\w.])(?<!\d,)(?:\d{6,}|\d{1,3}(?:,\d{3}){2,}|\d{3},\d{3})(?!\w|\.\d|,\d)")
_SECRET = "<restricted data>"
_DATA_FILE = re.compile(r"(?:[A-Za-z]:)?[\w./\\~-]*[\w-]+\.(?:tab|dta|sav|csv|parquet|feather|xlsx?)\b", re.IGNORECASE)


def _data_file(m: re.Match) -> str:
    """A data file's name stays when it is bare (``a_indresp.tab``) or relative to a secret folder; a path
    elsewhere (a home folder, another copy) becomes ``<data file>``."""
    name = m.group(0)
    bare = not re.search(r"[/\\]", name)
    return name if bare or m.string.endswith(_SECRET, 0, m.start()) else "<data file>"


def scrub(text: str, secrets: Iterable[str | Path] = ()) -> str:
    """``text`` with data paths, identifiers and long raw numbers replaced: every ``secrets`` path (and its
    resolved form) by ``<restricted data>``, names of data files by ``<data file>``, ``pidp 12345``-style
    identifiers by ``pidp <id>``, and bare numbers of six digits or more (identifiers, incomes) by ``<number>``.
    A file's name, bare or relative to a secret folder (``<restricted data>/ukhls/a_indresp.tab``), stays: it
    is not disclosive, and in a lab of many files the user must learn which one is bad.
    For tracebacks and failed notebooks of restricted runs: a person's value must not leave the lab that way."""
    out = str(text)
    keys = set()
    for s in secrets:
        if s:
            keys |= {str(s), str(Path(s).expanduser()), str(Path(s).expanduser().resolve())}
    for s in sorted(keys, key=len, reverse=True):
        out = out.replace(s.rstrip("/"), _SECRET)
    out = _DATA_FILE.sub(_data_file, out)
    out = _ID.sub(lambda m: f"{m.group(1)}{m.group(2) or ' '}<id>", out)
    return _LONG_NUMBER.sub("<number>", out)


def scrub_notebook(nb: Mapping, secrets: Iterable[str | Path] = ()) -> dict:
    """A failed notebook of a restricted run made safe to copy out of the run: every output dropped except
    the error (its name, message and traceback scrubbed), and the sources and metadata scrubbed."""
    nb = json.loads(json.dumps(nb, default=str))
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    secrets = list(secrets)
    return json.loads(json.dumps(_scrub_all(nb, secrets)))


def _scrub_all(x, secrets):
    if isinstance(x, str):
        return scrub(x, secrets)
    if isinstance(x, list):
        return [_scrub_all(v, secrets) for v in x]
    if isinstance(x, dict):
        return {k: _scrub_all(v, secrets) for k, v in x.items()}
    return x


def scrub_notebook_file(src: str | Path, dst: str | Path, secrets: Iterable[str | Path] = ()) -> Path:
    """``scrub_notebook`` from file to file (written atomically); the runner's copy to ``_build/failed/``."""
    nb = json.loads(Path(src).read_text(encoding="utf-8"))
    dst = Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(dst, json.dumps(scrub_notebook(nb, secrets), indent=1))
    return dst


# ----------------------------------------------------------------------------- not estimable


@dataclass(frozen=True)
class Withheld:
    """A result that cannot be released, with the reason (no counts, no values)."""

    reason: str


def estimable(fit: Callable, *args, **kwargs):
    """``fit(*args, **kwargs)``, or ``Withheld(reason)`` when the model cannot be estimated on this group:
    a singular design (``LinAlgError``), perfect separation, a maximum-likelihood fit that did not converge
    (quasi-separation: an outcome almost perfectly predicted in a group), or clustered standard errors that
    statsmodels cannot compute (a division by zero inside statsmodels: one cluster). A small group is then
    withheld, not a crash, and a fit that did not converge never reaches a page; any other error is a bug and
    propagates."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PerfectSeparationWarning)
            warnings.simplefilter("error", ConvergenceWarning)
            return fit(*args, **kwargs)
    except np.linalg.LinAlgError:
        return Withheld("singular design matrix: the group is too small or has no variation")
    except (PerfectSeparationError, PerfectSeparationWarning):
        return Withheld("perfect separation: the group is too small or has no variation in the outcome")
    except ConvergenceWarning:
        return Withheld("the model did not converge: in this group the outcome is (almost) perfectly predicted")
    except ZeroDivisionError as err:  # statsmodels' clustered covariance of a group in a single cluster
        if not _raised_in_statsmodels(err):
            raise
        return Withheld("standard errors undefined: the group is too small (a single cluster or no residual degrees of freedom)")


def _raised_in_statsmodels(err: BaseException) -> bool:
    tb = err.__traceback__
    while tb.tb_next is not None:
        tb = tb.tb_next
    return f"{os.sep}statsmodels{os.sep}" in tb.tb_frame.f_code.co_filename


# ----------------------------------------------------------------------------- files written atomically


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder: a reader sees the old file or
    the new one, never half of it."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
