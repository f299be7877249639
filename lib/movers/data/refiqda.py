"""Coded qualitative projects in the REFI-QDA exchange format, and as tidy CSV files.

NVivo, ATLAS.ti, MAXQDA and QualCoder all export a project as a ``.qdpx``
file: a zip archive holding ``project.qde`` (XML in the namespace
``urn:QDA-XML:project:1.0``) and a ``sources/`` folder with the plain text of
each transcript. Reading that open format, rather than any one package's own
file, lets the qualitative chapter run on the research team's real project
whichever software coded it; the synthetic generator writes the same format
through :func:`write_qdpx`, so the chapter has no synthetic-only path.

What the book needs from a project is small, and this module keeps only that:

* ``codes``: the code book (name, parent code, description, colour);
* ``participants``: one row per *case* with its variable values (the
  participant attributes: method, area type, gender, ...);
* ``sources``: the transcripts' text;
* ``segments``: one row per coding of a text selection: which code, which
  source, which character range, its text, and which participant said it.

A segment belongs to the participant whose case lists the selection
(``SelectionRef``), which is how speakers in a focus-group transcript are
told apart; failing that, to the one case that lists the whole source
(``SourceRef``), as for a one-to-one interview. A project with no cases
whose transcripts carry the variable values (document attributes) is read
as one participant per transcript. Positions are character offsets into the
plain text, the end exclusive.

The tidy alternative is a folder with ``participants.csv`` (``participant``
plus one column per attribute), ``segments.csv`` (``participant, source,
code, start, end, text``) and optionally ``codes.csv`` (``code, parent,
description``), for teams whose software only exports spreadsheets.

Every problem (not a zip, malformed XML, a coding that names a code the code
book lacks, a participant without a required attribute) raises
:class:`movers.core.errors.InputError` naming the file.
"""

from __future__ import annotations

import numbers
import uuid
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd
from lxml import etree

from movers.core.errors import InputError, require_columns

NS = "urn:QDA-XML:project:1.0"
Q = f"{{{NS}}}"
PROJECT_FILE = "project.qde"
SOURCES_DIR = "sources"
VARIABLE_TYPES = ("Text", "Boolean", "Integer", "Float", "Date", "DateTime")
# a fixed namespace for name-derived GUIDs: the same project always gets the same GUIDs, so files are reproducible
_GUID_NS = uuid.UUID("6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f")

CODE_COLUMNS = ["code", "parent", "description", "color", "guid"]
SEGMENT_COLUMNS = ["segment", "participant", "source", "code", "start", "end", "text"]


def guid_for(*parts: str) -> str:
    """A deterministic GUID from names, so that writing the same project twice gives identical bytes."""
    return str(uuid.uuid5(_GUID_NS, "\x1f".join(parts))).upper()


@dataclass
class QualProject:
    """A coded qualitative project: code book, participants, transcripts and coded segments.

    ``participants`` is indexed by the participant's (case) name; its columns
    are the attributes. ``variable_types`` records the REFI-QDA type of each
    attribute so that a round trip keeps booleans boolean. ``sets`` maps a set
    name to the names of the sources it groups (e.g. "Focus groups").
    """

    name: str
    codes: pd.DataFrame
    participants: pd.DataFrame
    sources: dict[str, str]
    segments: pd.DataFrame
    variable_types: dict[str, str] = field(default_factory=dict)
    sets: dict[str, list[str]] = field(default_factory=dict)
    origin: str = ""
    path: str = ""

    def check(self, required: Sequence[str] = ()) -> QualProject:
        """Validate references between the tables; ``required`` names attributes every participant must have."""
        where = self.path or self.name
        known = set(self.codes["code"])
        bad = sorted(set(self.segments["code"]) - known)
        if bad:
            raise InputError(
                where, f"coded segment(s) refer to code(s) missing from the code book: {', '.join(map(str, bad[:10]))}"
            )
        parents = set(self.codes["parent"].dropna()) - {""}
        if parents - known:
            raise InputError(where, f"code book names unknown parent code(s): {', '.join(sorted(parents - known))}")
        who = set(self.segments["participant"].dropna())
        if who - set(self.participants.index):
            raise InputError(
                where,
                f"coded segment(s) refer to unknown participant(s): {', '.join(sorted(map(str, who - set(self.participants.index)))[:10])}",
            )
        srcs = set(self.segments["source"])
        if srcs - set(self.sources):
            raise InputError(
                where, f"coded segment(s) refer to unknown source(s): {', '.join(sorted(srcs - set(self.sources))[:10])}"
            )
        missing_attr = [a for a in required if a not in self.participants.columns]
        if missing_attr:
            raise InputError(
                where,
                f"participants lack the attribute(s) {', '.join(missing_attr)}; found {', '.join(map(str, self.participants.columns)) or 'none'}",
            )
        for a in required:
            empty = self.participants.index[self.participants[a].isna() | (self.participants[a].astype(str) == "")]
            if len(empty):
                raise InputError(
                    where, f"{len(empty)} participant(s) have no value for attribute {a!r}: {', '.join(map(str, empty[:10]))}"
                )
        return self


def _segments_frame(rows: list[dict]) -> pd.DataFrame:
    """Segments with fixed columns and integer positions, so an empty project and a full one compare alike."""
    df = pd.DataFrame(rows, columns=SEGMENT_COLUMNS)
    df["start"] = df["start"].astype("int64")
    df["end"] = df["end"].astype("int64")
    return df


# --------------------------------------------------------------------------- reading .qdpx


def _attr(el, name: str, where: str, kind=str):
    raw = el.get(name)
    if raw is None:
        raise InputError(where, f"<{etree.QName(el).localname}> on line {el.sourceline} lacks the attribute {name!r}")
    if kind is int:
        try:
            return int(raw)
        except ValueError:
            raise InputError(
                where, f"<{etree.QName(el).localname}> on line {el.sourceline}: {name}={raw!r} is not an integer"
            ) from None
    return raw


def _convert(value: str, kind: str, where: str, line: int):
    """Turn a REFI-QDA variable value into the Python value its declared type says it is."""
    try:
        if kind == "Boolean":
            if value.strip().lower() not in ("true", "false", "1", "0"):
                raise ValueError(value)
            return value.strip().lower() in ("true", "1")
        if kind == "Integer":
            return int(value)
        if kind == "Float":
            return float(value)
    except ValueError:
        raise InputError(where, f"line {line}: value {value!r} is not a valid {kind}") from None
    return value


def _archive_text(zf: zipfile.ZipFile, path: str, where: str) -> str:
    """Text of a source file inside the archive; exporters disagree on the folder's case, so match loosely."""
    if not path.startswith("internal://"):
        raise InputError(where, f"source path {path!r} points outside the archive; only internal:// sources are read")
    want = path[len("internal://") :].lstrip("/")
    names = {n.lower(): n for n in zf.namelist()}
    for cand in (want, f"{SOURCES_DIR}/{want}", f"Sources/{want}"):
        if cand.lower() in names:
            return zf.read(names[cand.lower()]).decode("utf-8-sig")
    base = PurePosixPath(want).name.lower()
    hits = [n for n in zf.namelist() if PurePosixPath(n).name.lower() == base]
    if len(hits) == 1:
        return zf.read(hits[0]).decode("utf-8-sig")
    raise InputError(where, f"source file {want!r} named in {PROJECT_FILE} is not in the archive")


def read_qdpx(path: str | Path, required: Sequence[str] = ()) -> QualProject:
    """Read a ``.qdpx`` archive; ``required`` lists participant attributes that must be present and non-empty."""
    path = Path(path)
    where = str(path)
    if not path.is_file():
        raise InputError(where, "file does not exist")
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise InputError(where, "not a zip archive (a .qdpx file is a zip holding project.qde and a sources/ folder)") from None
    with zf:
        members = {PurePosixPath(n).name.lower(): n for n in zf.namelist()}
        if PROJECT_FILE not in members:
            raise InputError(where, f"archive holds no {PROJECT_FILE}; found {', '.join(zf.namelist()[:10]) or 'nothing'}")
        xml_where = f"{where}!{members[PROJECT_FILE]}"
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        try:
            root = etree.fromstring(zf.read(members[PROJECT_FILE]), parser)
        except etree.XMLSyntaxError as exc:
            raise InputError(xml_where, f"malformed XML ({exc})") from None
        if root.tag != Q + "Project":
            raise InputError(xml_where, f"root element is {root.tag!r}, expected Project in namespace {NS}")
        project = _parse_project(root, zf, xml_where)
    project.path = where
    return project.check(required)


def _parse_project(root, zf: zipfile.ZipFile, where: str) -> QualProject:
    codes = []

    def walk_codes(parent_el, parent_name):
        for el in parent_el.findall(Q + "Code"):
            desc = el.findtext(Q + "Description") or ""
            name = _attr(el, "name", where)
            codes.append(
                {
                    "code": name,
                    "parent": parent_name,
                    "description": desc.strip(),
                    "color": el.get("color", ""),
                    "guid": _attr(el, "guid", where),
                }
            )
            walk_codes(el, name)

    book = root.find(Q + "CodeBook")
    if book is not None and book.find(Q + "Codes") is not None:
        walk_codes(book.find(Q + "Codes"), "")
    codes_df = pd.DataFrame(codes, columns=CODE_COLUMNS)
    if codes_df["code"].duplicated().any():
        raise InputError(
            where,
            f"code book has duplicate code names: {', '.join(sorted(set(codes_df.loc[codes_df['code'].duplicated(), 'code'])))}",
        )
    code_by_guid = dict(zip(codes_df["guid"], codes_df["code"]))

    variables = {}
    for el in root.iterfind(f"{Q}Variables/{Q}Variable"):
        kind = el.get("typeOfVariable", "Text")
        if kind not in VARIABLE_TYPES:
            raise InputError(where, f"line {el.sourceline}: variable {el.get('name')!r} has unknown type {kind!r}")
        variables[_attr(el, "guid", where)] = (_attr(el, "name", where), kind)

    cases, sel_owner, src_cases = [], {}, {}
    for el in root.iterfind(f"{Q}Cases/{Q}Case"):
        name = _attr(el, "name", where)
        row = {"participant": name, "guid": _attr(el, "guid", where)}
        row.update(_values(el, variables, where, f"case {name!r}"))
        for ref in el.findall(Q + "SelectionRef"):
            sel_owner[_attr(ref, "targetGUID", where)] = name
        for ref in el.findall(Q + "SourceRef"):
            src_cases.setdefault(_attr(ref, "targetGUID", where), []).append(name)
        cases.append(row)
    sources, segments, source_guid = _parse_sources(root, zf, where, code_by_guid, variables, cases, sel_owner, src_cases)
    participants = pd.DataFrame(cases)
    if participants.empty:
        participants = pd.DataFrame(columns=["participant", "guid"])
    if participants["participant"].duplicated().any():
        raise InputError(
            where,
            f"duplicate case names: {', '.join(sorted(set(participants.loc[participants['participant'].duplicated(), 'participant'])))}",
        )
    participants = participants.set_index("participant")
    for vname, kind in variables.values():
        if vname not in participants.columns:
            participants[vname] = None
        elif kind == "Boolean":
            participants[vname] = participants[vname].astype(object)

    sets = {}
    for el in root.iterfind(f"{Q}Sets/{Q}Set"):
        members = [source_guid.get(m.get("targetGUID")) for m in el.findall(Q + "MemberSource")]
        if None in members:
            raise InputError(where, f"set {el.get('name')!r} names a source that does not exist")
        sets[_attr(el, "name", where)] = members

    return QualProject(
        name=root.get("name", ""),
        codes=codes_df,
        participants=participants,
        sources=sources,
        segments=_segments_frame(segments),
        variable_types={n: k for n, k in variables.values()},
        sets=sets,
        origin=root.get("origin", ""),
    )


def _values(el, variables: dict, where: str, owner: str) -> dict:
    """The VariableValue children of a case (or source) as {variable name: typed value}."""
    row = {}
    for vv in el.findall(Q + "VariableValue"):
        ref = vv.find(Q + "VariableRef")
        target = None if ref is None else ref.get("targetGUID")
        if target not in variables:
            raise InputError(where, f"line {vv.sourceline}: {owner} has a value for an unknown variable {target!r}")
        vname, kind = variables[target]
        value_el = next((c for c in vv if isinstance(c.tag, str) and c.tag != Q + "VariableRef"), None)
        row[vname] = None if value_el is None or value_el.text is None else _convert(value_el.text, kind, where, vv.sourceline)
    return row


def _parse_sources(root, zf, where, code_by_guid, variables, cases, sel_owner, src_cases):
    """Transcripts and their codings, each coding attributed to a participant.

    A project without cases whose sources carry variable values (how some
    packages store document attributes, one document per interviewee) gets
    one participant per such source, so the same analysis still applies.
    """
    by_source = not cases
    sources, segments, source_guid = {}, [], {}
    for el in root.iterfind(f"{Q}Sources/{Q}TextSource"):
        sname, sguid = _attr(el, "name", where), _attr(el, "guid", where)
        inline = el.find(Q + "PlainTextContent")
        if inline is not None:
            text = inline.text or ""
        elif el.get("plainTextPath"):
            text = _archive_text(zf, el.get("plainTextPath"), where)
        else:
            raise InputError(where, f"line {el.sourceline}: text source {sname!r} has neither PlainTextContent nor plainTextPath")
        if sname in sources:
            raise InputError(where, f"two sources are named {sname!r}")
        sources[sname] = text
        source_guid[sguid] = sname
        if by_source and el.find(Q + "VariableValue") is not None:
            cases.append({"participant": sname, "guid": sguid, **_values(el, variables, where, f"source {sname!r}")})
            src_cases[sguid] = [sname]
        owners = src_cases.get(sguid, [])
        for sel in el.findall(Q + "PlainTextSelection"):
            sel_guid = _attr(sel, "guid", where)
            start, end = _attr(sel, "startPosition", where, int), _attr(sel, "endPosition", where, int)
            if not 0 <= start < end <= len(text):
                raise InputError(
                    where,
                    f"line {sel.sourceline}: selection {start}-{end} lies outside source {sname!r} ({len(text)} characters)",
                )
            who = sel_owner.get(sel_guid, owners[0] if len(owners) == 1 else None)
            for coding in sel.findall(Q + "Coding"):
                ref = coding.find(Q + "CodeRef")
                target = None if ref is None else ref.get("targetGUID")
                if target not in code_by_guid:
                    raise InputError(
                        where, f"line {coding.sourceline}: a coding in source {sname!r} refers to unknown code {target!r}"
                    )
                segments.append(
                    {
                        "segment": sel_guid,
                        "participant": who,
                        "source": sname,
                        "code": code_by_guid[target],
                        "start": start,
                        "end": end,
                        "text": text[start:end],
                    }
                )
    return sources, segments, source_guid


# --------------------------------------------------------------------------- writing .qdpx


def _variable_type(series: pd.Series) -> str:
    """REFI-QDA type of an attribute column, so that booleans and numbers survive a round trip as such."""
    vals = series.dropna().tolist()
    if not vals:
        return "Text"
    if all(isinstance(v, (bool, np.bool_)) for v in vals):
        return "Boolean"
    if all(isinstance(v, numbers.Integral) and not isinstance(v, (bool, np.bool_)) for v in vals):
        return "Integer"
    if all(isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_)) for v in vals):
        return "Float"
    return "Text"


def _format_value(value, kind: str) -> str:
    if kind == "Boolean":
        return "true" if value else "false"
    return str(value)


def write_qdpx(project: QualProject, path: str | Path, user: str = "movers", created: str = "2019-12-31T00:00:00Z") -> Path:
    """Write a project as a REFI-QDA ``.qdpx`` archive (written to a temporary name, then renamed).

    GUIDs are derived from names, and the timestamp is fixed, so the same
    project always produces the same archive: the synthetic world's
    fingerprint then changes only when its content does.
    """
    project.check()
    path = Path(path)
    from lxml.builder import ElementMaker

    M = ElementMaker(namespace=NS, nsmap={None: NS})
    user_guid = guid_for("user", user)
    root = M.Project(
        name=project.name, origin=project.origin or "movers.data.refiqda", creatingUserGUID=user_guid, creationDateTime=created
    )
    root.append(M.Users(M.User(guid=user_guid, name=user)))

    code_guid = {
        c: (g if isinstance(g, str) and g else guid_for("code", c)) for c, g in zip(project.codes["code"], project.codes["guid"])
    }
    code_el = {}
    codes_root = M.Codes()
    for row in project.codes.itertuples(index=False):
        attrs = {"guid": code_guid[row.code], "name": row.code, "isCodable": "true"}
        if isinstance(row.color, str) and row.color:
            attrs["color"] = row.color
        el = M.Code(**attrs)
        if isinstance(row.description, str) and row.description:
            el.append(M.Description(row.description))
        parent = row.parent if isinstance(row.parent, str) and row.parent else None
        (code_el[parent] if parent else codes_root).append(el)
        code_el[row.code] = el
    root.append(M.CodeBook(codes_root))

    attrs = [c for c in project.participants.columns if c != "guid"]
    kinds = {a: project.variable_types.get(a) or _variable_type(project.participants[a]) for a in attrs}
    var_guid = {a: guid_for("variable", a) for a in attrs}
    root.append(M.Variables(*[M.Variable(guid=var_guid[a], name=a, typeOfVariable=kinds[a]) for a in attrs]))

    source_guid = {s: guid_for("source", s) for s in project.sources}
    seg = project.segments
    sel_guid = {
        k: guid_for("selection", *map(str, k))
        for k in seg[["source", "start", "end"]].drop_duplicates().itertuples(index=False, name=None)
    }
    by_person_src = seg.dropna(subset=["participant"]).groupby("participant")
    cases = M.Cases()
    for name, row in project.participants.iterrows():
        guid = row.get("guid") if isinstance(row.get("guid"), str) and row.get("guid") else guid_for("case", str(name))
        case = M.Case(guid=guid, name=str(name))
        for a in attrs:
            v = row[a]
            if v is None or (isinstance(v, float) and pd.isna(v)):
                continue
            tag = {
                "Text": "TextValue",
                "Boolean": "BooleanValue",
                "Integer": "IntegerValue",
                "Float": "FloatValue",
                "Date": "DateValue",
                "DateTime": "DateTimeValue",
            }[kinds[a]]
            case.append(M.VariableValue(M.VariableRef(targetGUID=var_guid[a]), getattr(M, tag)(_format_value(v, kinds[a]))))
        if name in by_person_src.groups:
            mine = by_person_src.get_group(name)
            for s in dict.fromkeys(mine["source"]):
                case.append(M.SourceRef(targetGUID=source_guid[s]))
            for k in dict.fromkeys(mine[["source", "start", "end"]].itertuples(index=False, name=None)):
                case.append(M.SelectionRef(targetGUID=sel_guid[k]))
        cases.append(case)
    root.append(cases)

    sources_el = M.Sources()
    files = {}
    for sname, text in project.sources.items():
        g = source_guid[sname]
        files[f"{SOURCES_DIR}/{g}.txt"] = text
        sel_el = M.TextSource(
            guid=g, name=sname, plainTextPath=f"internal://{g}.txt", creatingUser=user_guid, creationDateTime=created
        )
        mine = seg[seg["source"] == sname].sort_values(["start", "end"], kind="stable")
        for (s, e), grp in mine.groupby(["start", "end"], sort=False):
            k = (sname, int(s), int(e))
            sel = M.PlainTextSelection(
                guid=sel_guid[k],
                name=text[s:e][:40],
                startPosition=str(s),
                endPosition=str(e),
                creatingUser=user_guid,
                creationDateTime=created,
            )
            for code in dict.fromkeys(grp["code"]):
                sel.append(
                    M.Coding(
                        M.CodeRef(targetGUID=code_guid[code]),
                        guid=guid_for("coding", *map(str, k), code),
                        creatingUser=user_guid,
                        creationDateTime=created,
                    )
                )
            sel_el.append(sel)
        sources_el.append(sel_el)
    root.append(sources_el)
    if project.sets:
        root.append(
            M.Sets(
                *[
                    M.Set(*[M.MemberSource(targetGUID=source_guid[s]) for s in members], guid=guid_for("set", name), name=name)
                    for name, members in project.sets.items()
                ]
            )
        )

    xml = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
    tmp = path.with_name(path.name + ".part")
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, payload in [(PROJECT_FILE, xml)] + [(n, t.encode("utf-8")) for n, t in files.items()]:
            info = zipfile.ZipInfo(name, date_time=(2019, 12, 31, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, payload)
    tmp.replace(path)
    return path


# --------------------------------------------------------------------------- tidy CSV


def write_tidy(project: QualProject, folder: str | Path) -> Path:
    """Write the project as ``participants.csv``, ``segments.csv``, ``codes.csv`` and the transcripts as ``sources/<name>.txt``."""
    folder = Path(folder)
    (folder / SOURCES_DIR).mkdir(parents=True, exist_ok=True)
    project.participants.drop(columns=["guid"], errors="ignore").rename_axis("participant").to_csv(folder / "participants.csv")
    project.segments.drop(columns=["segment"]).to_csv(folder / "segments.csv", index=False)
    project.codes[["code", "parent", "description"]].to_csv(folder / "codes.csv", index=False)
    for name, text in project.sources.items():
        (folder / SOURCES_DIR / f"{name}.txt").write_text(text, encoding="utf-8")
    return folder


def _read_csv(path: Path, columns: Iterable[str]) -> pd.DataFrame:
    if not path.is_file():
        raise InputError(path, "file does not exist")
    try:
        df = pd.read_csv(path, dtype={"participant": str, "source": str, "code": str}, keep_default_na=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(path, f"not a readable CSV file ({exc})") from None
    require_columns(df, list(columns), path)
    return df


def read_tidy(folder: str | Path, required: Sequence[str] = ()) -> QualProject:
    """Read the tidy CSV layout (see the module docstring); without ``codes.csv`` the code book is the codes used."""
    folder = Path(folder)
    people = _read_csv(folder / "participants.csv", ["participant"])
    if people["participant"].duplicated().any():
        raise InputError(
            folder / "participants.csv",
            f"duplicate participant(s): {', '.join(sorted(set(people.loc[people['participant'].duplicated(), 'participant'])))}",
        )
    people = people.set_index("participant")
    for col in people.columns:  # pandas reads TRUE/FALSE columns as bool already; keep them Python objects
        if pd.api.types.is_bool_dtype(people[col]):
            people[col] = people[col].astype(object)
    seg = _read_csv(folder / "segments.csv", ["participant", "source", "code", "start", "end", "text"])
    for col in ("start", "end"):
        if not pd.api.types.is_integer_dtype(seg[col]):
            raise InputError(folder / "segments.csv", f"column {col!r} must hold whole character positions")
    codes_path = folder / "codes.csv"
    if codes_path.exists():
        codes = _read_csv(codes_path, ["code"])
        for col in ("parent", "description"):
            codes[col] = codes[col].fillna("") if col in codes else ""
    else:
        codes = pd.DataFrame({"code": sorted(seg["code"].unique()), "parent": "", "description": ""})
    codes["color"] = ""
    codes["guid"] = ""
    sources = {}
    for name in dict.fromkeys(seg["source"]):
        p = folder / SOURCES_DIR / f"{name}.txt"
        sources[name] = p.read_text(encoding="utf-8") if p.exists() else ""
    seg = seg.assign(
        segment=[guid_for("selection", str(s), str(a), str(b)) for s, a, b in zip(seg["source"], seg["start"], seg["end"])]
    )
    proj = QualProject(
        name=folder.name,
        codes=codes[CODE_COLUMNS],
        participants=people,
        sources=sources,
        segments=_segments_frame(seg[SEGMENT_COLUMNS].to_dict("records")),
        path=str(folder / "segments.csv"),
    )
    return proj.check(required)


def load(path: str | Path, required: Sequence[str] = ()) -> QualProject:
    """Read a project from a ``.qdpx`` file, a folder holding exactly one, or a tidy CSV folder."""
    path = Path(path)
    if path.is_file():
        return read_qdpx(path, required)
    if path.is_dir():
        found = sorted(path.glob("*.qdpx"))
        if len(found) == 1:
            return read_qdpx(found[0], required)
        if len(found) > 1:
            raise InputError(path, f"holds several .qdpx projects ({', '.join(p.name for p in found)}); name one")
        if (path / "segments.csv").exists():
            return read_tidy(path, required)
        raise InputError(path, "holds neither a .qdpx project nor a tidy segments.csv / participants.csv pair")
    raise InputError(path, "does not exist")
