"""REFI-QDA reader and writer: round trips, and a clear InputError for every kind of broken project."""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest

from movers.core.errors import InputError
from movers.data import refiqda as R

NS = R.NS


def tiny() -> R.QualProject:
    """Two participants in one focus-group transcript plus one interview, three codes (one a parent)."""
    fg = "Moderator: why here?\n\nA: It is cheap.\n\nB: My nan lives round the corner and rent is cheap.\n\n"
    iv = "Interviewer: and then?\n\nC: I went to uni in Leeds.\n\n"
    a0 = fg.index("It is cheap.")
    b0 = fg.index("My nan")
    c0 = iv.index("I went")
    seg = pd.DataFrame(
        [
            {
                "segment": "",
                "participant": "A",
                "source": "Group 1",
                "code": "Housing",
                "start": a0,
                "end": a0 + 12,
                "text": "It is cheap.",
            },
            {
                "segment": "",
                "participant": "B",
                "source": "Group 1",
                "code": "Family",
                "start": b0,
                "end": b0 + 47,
                "text": fg[b0 : b0 + 47],
            },
            {
                "segment": "",
                "participant": "B",
                "source": "Group 1",
                "code": "Housing",
                "start": b0,
                "end": b0 + 47,
                "text": fg[b0 : b0 + 47],
            },
            {
                "segment": "",
                "participant": "C",
                "source": "Interview C",
                "code": "Family",
                "start": c0,
                "end": c0 + 24,
                "text": iv[c0 : c0 + 24],
            },
        ]
    )
    people = pd.DataFrame(
        {
            "Method": ["Focus group", "Focus group", "Interview"],
            "Dependent children": [True, False, True],
            "Age": [22, 41, 30],
            "Score": [0.5, 1.25, 2.0],
        },
        index=pd.Index(["A", "B", "C"], name="participant"),
    )
    people["Dependent children"] = people["Dependent children"].astype(object)
    codes = pd.DataFrame(
        {
            "code": ["Reasons", "Housing", "Family"],
            "parent": ["", "Reasons", "Reasons"],
            "description": ["why", "rent & prices <cheap>", ""],
            "color": ["", "#ff0000", ""],
            "guid": ["", "", ""],
        }
    )
    return R.QualProject(
        name="tiny",
        codes=codes,
        participants=people,
        sources={"Group 1": fg, "Interview C": iv},
        segments=seg,
        sets={"Groups": ["Group 1"]},
    )


def _key(df: pd.DataFrame) -> pd.DataFrame:
    return (
        df[["participant", "source", "code", "start", "end", "text"]]
        .sort_values(["source", "start", "code"])
        .reset_index(drop=True)
    )


def test_qdpx_round_trip_keeps_codings_people_types_and_hierarchy(tmp_path):
    proj = tiny()
    path = R.write_qdpx(proj, tmp_path / "p.qdpx")
    back = R.read_qdpx(path, required=["Method", "Age"])
    pd.testing.assert_frame_equal(_key(back.segments), _key(proj.segments))
    assert back.sources == proj.sources
    assert back.sets == {"Groups": ["Group 1"]}
    assert dict(zip(back.codes["code"], back.codes["parent"])) == {"Reasons": "", "Housing": "Reasons", "Family": "Reasons"}
    assert back.codes.set_index("code").loc["Housing", "description"] == "rent & prices <cheap>"
    assert back.variable_types == {"Method": "Text", "Dependent children": "Boolean", "Age": "Integer", "Score": "Float"}
    assert back.participants.loc["A", "Dependent children"] is True and back.participants.loc["B", "Dependent children"] is False
    assert back.participants.loc["B", "Age"] == 41 and back.participants.loc["C", "Score"] == 2.0
    # the interview's segment is attributed through SourceRef, the group's through SelectionRef
    assert set(back.segments.loc[back.segments["source"] == "Group 1", "participant"]) == {"A", "B"}
    # writing is deterministic: same project, same bytes
    again = R.write_qdpx(back, tmp_path / "q.qdpx")
    assert path.read_bytes() == again.read_bytes()


def test_tidy_round_trip_and_load_dispatch(tmp_path):
    proj = tiny()
    R.write_tidy(proj, tmp_path / "tidy")
    back = R.load(tmp_path / "tidy", required=["Method"])
    pd.testing.assert_frame_equal(_key(back.segments), _key(proj.segments))
    assert back.participants.loc["A", "Dependent children"] is True
    R.write_qdpx(back, tmp_path / "one" / "x.qdpx")
    assert R.load(tmp_path / "one").participants.shape[0] == 3


def _rewrite(src, dst, edit):
    """Copy a .qdpx, passing project.qde through ``edit`` (bytes -> bytes)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for n in zin.namelist():
            data = zin.read(n)
            zout.writestr(n, edit(data) if n == R.PROJECT_FILE else data)
    return dst


@pytest.fixture
def good(tmp_path):
    return R.write_qdpx(tiny(), tmp_path / "good.qdpx")


def test_not_a_zip(tmp_path):
    bad = tmp_path / "bad.qdpx"
    bad.write_text("this is not an archive")
    with pytest.raises(InputError, match="bad.qdpx: not a zip archive"):
        R.read_qdpx(bad)


def test_zip_without_project(tmp_path):
    p = tmp_path / "empty.qdpx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("readme.txt", "x")
    with pytest.raises(InputError, match="holds no project.qde"):
        R.read_qdpx(p)


def test_malformed_xml(good, tmp_path):
    p = _rewrite(good, tmp_path / "x.qdpx", lambda b: b.replace(b"</Cases>", b"</Casez>"))
    with pytest.raises(InputError, match=r"x.qdpx!project.qde: malformed XML"):
        R.read_qdpx(p)


def test_wrong_root(good, tmp_path):
    p = _rewrite(good, tmp_path / "x.qdpx", lambda b: b.replace(NS.encode(), b"urn:something-else"))
    with pytest.raises(InputError, match="expected Project in namespace"):
        R.read_qdpx(p)


def test_unknown_code_reference(good, tmp_path):
    guid = R.guid_for("code", "Family").encode()
    p = _rewrite(good, tmp_path / "x.qdpx", lambda b: b.replace(b'CodeRef targetGUID="' + guid, b'CodeRef targetGUID="DEADBEEF'))
    with pytest.raises(InputError, match="refers to unknown code 'DEADBEEF"):
        R.read_qdpx(p)


def test_missing_required_attribute(good):
    with pytest.raises(InputError, match="participants lack the attribute\\(s\\) Gender"):
        R.read_qdpx(good, required=["Method", "Gender"])


def test_empty_attribute_value_names_participants(tmp_path):
    proj = tiny()
    proj.participants.loc["B", "Method"] = None
    p = R.write_qdpx(proj, tmp_path / "x.qdpx")
    with pytest.raises(InputError, match="1 participant\\(s\\) have no value for attribute 'Method': B"):
        R.read_qdpx(p, required=["Method"])


def test_selection_outside_text(good, tmp_path):
    p = _rewrite(good, tmp_path / "x.qdpx", lambda b: b.replace(b'endPosition="', b'endPosition="9', 1))
    with pytest.raises(InputError, match="lies outside source"):
        R.read_qdpx(p)


def test_missing_source_file(good, tmp_path):
    dst = tmp_path / "x.qdpx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(dst, "w") as zout:
        for n in zin.namelist():
            if not n.startswith("sources/") or n == zin.namelist()[-1]:
                zout.writestr(n, zin.read(n))
    with pytest.raises(InputError, match="is not in the archive"):
        R.read_qdpx(dst)


def test_bad_boolean_value(good, tmp_path):
    p = _rewrite(good, tmp_path / "x.qdpx", lambda b: b.replace(b"<BooleanValue>true<", b"<BooleanValue>maybe<", 1))
    with pytest.raises(InputError, match="'maybe' is not a valid Boolean"):
        R.read_qdpx(p)


def test_tidy_unknown_participant_and_code(tmp_path):
    R.write_tidy(tiny(), tmp_path)
    seg = pd.read_csv(tmp_path / "segments.csv")
    seg.loc[0, "participant"] = "Z"
    seg.to_csv(tmp_path / "segments.csv", index=False)
    with pytest.raises(InputError, match="unknown participant\\(s\\): Z"):
        R.read_tidy(tmp_path)
    seg.loc[0, "participant"] = "A"
    seg.loc[0, "code"] = "Weather"
    seg.to_csv(tmp_path / "segments.csv", index=False)
    with pytest.raises(InputError, match="missing from the code book: Weather"):
        R.read_tidy(tmp_path)


def test_load_rejects_folder_without_project(tmp_path):
    with pytest.raises(InputError, match="neither a .qdpx project nor"):
        R.load(tmp_path)


HAND_WRITTEN = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="doc variables" origin="hand">
  <CodeBook><Codes>
    <Code guid="C1" name="Housing" isCodable="true"/>
  </Codes></CodeBook>
  <Variables>
    <Variable guid="V1" name="Method" typeOfVariable="Text"/>
    <Variable guid="V2" name="Dependent children" typeOfVariable="Boolean"/>
  </Variables>
  <Sources>
    <TextSource guid="S1" name="Interview 1">
      <PlainTextContent>Q: why? A: the rent.</PlainTextContent>
      <PlainTextSelection guid="P1" startPosition="11" endPosition="20">
        <Coding guid="K1"><CodeRef targetGUID="C1"/></Coding>
      </PlainTextSelection>
      <VariableValue><VariableRef targetGUID="V1"/><TextValue>Interview</TextValue></VariableValue>
      <VariableValue><VariableRef targetGUID="V2"/><BooleanValue>1</BooleanValue></VariableValue>
    </TextSource>
  </Sources>
</Project>
"""


def test_hand_written_project_with_document_variables_and_inline_text(tmp_path):
    """Without cases, a source carrying variable values is one participant (document attributes, one file per person)."""
    p = tmp_path / "h.qdpx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("project.qde", HAND_WRITTEN)
    proj = R.read_qdpx(p, required=["Method", "Dependent children"])
    assert list(proj.participants.index) == ["Interview 1"]
    assert proj.participants.loc["Interview 1", "Dependent children"] is True
    seg = proj.segments.iloc[0]
    assert (seg["participant"], seg["code"], seg["text"]) == ("Interview 1", "Housing", "the rent.")
