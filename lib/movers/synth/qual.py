"""Synthetic coded qualitative project: the report's 20 focus groups and 39 interviews, as a REFI-QDA file.

Why: the qualitative chapter must run on what the research team's QDA
software would export, so this writes ``qual/moving_out_to_move_on.qdpx`` with
:func:`movers.data.refiqda.write_qdpx`, the format the chapter reads.

Design (the report's "In-depth qualitative research" section):

- two focus groups (aged 18-29 and 30-49) in each of 10 locations, seven cold
  spots and three hot spots; seven people per group except one cold-spot
  group of six, 139 in all;
- 39 telephone interviews aged 25-40: 19 cold to hot spot, 5 hot to a
  different hot spot, 5 hot to the same hot spot, 10 cold to the same cold spot.

Participant attributes are allocated by quota, as a recruitment agency
would: for each (method, area type) cell the number of women, white
participants, graduates and parents is the report's stated share times the
cell size, rounded, and which people carry them is random (parents more
likely in the older band, graduates more likely among movers). The counts
are recorded in ``truth.json``.

Themes: each participant talks about each theme of the code book with a
probability that depends on their type (``truth['theme_prevalence']``,
theme -> type -> probability), shaped after the report's account (movers
recall boredom and leaving for university, stayers early parenthood and
going straight into local jobs). Every mention becomes one or more coded
answers in the transcript; some answers carry a second code, so passages
co-occur. The text is invented from templates and says so at the top of every
transcript; the town names are the report's focus-group locations, the home
towns of interviewees are made up.

The size of the qualitative sample is fixed by the design, so ``scale`` is
ignored.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from movers.data import qual_codebook as Q
from movers.data.refiqda import QualProject, guid_for, write_qdpx
from movers.synth import rng_for, write_truth

NAME = "qual"
REQUIRES: tuple[str, ...] = ()
FILE = "moving_out_to_move_on.qdpx"

GROUP_SIZE = 7
AGE_BANDS = {"18-29": (18, 29), "30-49": (30, 49)}
INTERVIEW_AGES = (25, 40)

# quota shares per (method, area): women, white, then qualification and children as the report states them
QUOTAS = {
    (Q.FOCUS_GROUP, Q.HOT): {"women": 0.55, "white": 0.93, "bachelor": 0.55, "postgrad": 0.20, "children": 0.18},
    (Q.FOCUS_GROUP, Q.COLD): {"women": 0.55, "white": 0.876, "bachelor": 0.29, "postgrad": 0.07, "children": 0.48},
    (Q.INTERVIEW, Q.HOT): {"women": 0.59, "white": 23 / 29, "degree": 22 / 29, "children": 13 / 29},
    (Q.INTERVIEW, Q.COLD): {"women": 0.6, "white": 1.0, "degree": 2 / 10, "children": 8 / 10},
}
MINORITY_GROUPS = {"Asian": 0.55, "Black": 0.2, "Mixed": 0.2, "Other": 0.05}
BELOW_DEGREE = {"Level 2 or below": 0.35, "Level 3": 0.45, "Level 4-5": 0.20}
POSTGRAD_AMONG_GRADUATES = 0.3  # interviews: the report gives "degree or higher" only
GRADUATE_WEIGHT = {
    "Cold to hot spot": 1.3,
    "Hot to different hot spot": 1.1,
    "Hot to same hot spot": 0.7,
    "Cold to same cold spot": 1.0,
}

PARENT_CODES = {
    "Growing up": "How participants describe the place they grew up in.",
    "Education and first jobs": "Routes out of school or college.",
    "Family": "Family life and responsibilities.",
    "Deciding to move or stay": "Reasons given for moving, staying or coming back.",
}
# theme, parent, description, prevalence by type in the order Q.INTERVIEW_TYPES + Q.GROUP_TYPES
THEMES = [
    (
        "Boredom and lack of opportunity at home",
        "Growing up",
        "Little to do, few jobs or cultural outlets in the home town.",
        (0.75, 0.40, 0.30, 0.35, 0.45, 0.20),
    ),
    (
        "Attachment to the home area",
        "Growing up",
        "Liking the home town and its community.",
        (0.25, 0.30, 0.60, 0.70, 0.65, 0.50),
    ),
    (
        "Leaving for higher education",
        "Education and first jobs",
        "Going away to university around 18, often the first move.",
        (0.80, 0.70, 0.60, 0.20, 0.25, 0.55),
    ),
    (
        "Straight from school into local work",
        "Education and first jobs",
        "Taking available local jobs after school or college.",
        (0.10, 0.15, 0.20, 0.60, 0.55, 0.30),
    ),
    (
        "Education and training later in life",
        "Education and first jobs",
        "Courses and qualifications taken as adults.",
        (0.15, 0.10, 0.15, 0.40, 0.35, 0.20),
    ),
    (
        "Family ties and caring",
        "Family",
        "Staying near or returning to parents, relatives or people cared for.",
        (0.35, 0.30, 0.50, 0.70, 0.60, 0.40),
    ),
    (
        "Early parenthood",
        "Family",
        "Having children young and what it meant for work and moving.",
        (0.05, 0.05, 0.10, 0.45, 0.35, 0.10),
    ),
    (
        "Commuting instead of moving",
        "Deciding to move or stay",
        "Travelling to work elsewhere rather than relocating.",
        (0.10, 0.20, 0.30, 0.35, 0.45, 0.25),
    ),
    (
        "Housing costs",
        "Deciding to move or stay",
        "Rents and house prices as a reason to move, stay or go back.",
        (0.60, 0.70, 0.65, 0.20, 0.25, 0.70),
    ),
    (
        "Career opportunities elsewhere",
        "Deciding to move or stay",
        "Better jobs and progression in other places.",
        (0.70, 0.60, 0.30, 0.15, 0.20, 0.40),
    ),
    (
        "Friends and social networks",
        "Deciding to move or stay",
        "Friends who moved or stayed, and building new networks.",
        (0.45, 0.40, 0.45, 0.35, 0.40, 0.35),
    ),
    (
        "Moving away and coming back",
        "Deciding to move or stay",
        "Having lived elsewhere for a time before returning.",
        (0.10, 0.10, 0.05, 0.35, 0.30, 0.10),
    ),
]
SECOND_CODE = 0.12  # chance that an answer goes on to a second of the speaker's themes (coded with both)
EXTRA_MENTIONS = {Q.INTERVIEW: 0.8, Q.FOCUS_GROUP: 0.3}  # Poisson mean of further coded answers per theme mentioned

# Invented answer templates, one list per theme; {home} is the speaker's home town, {city} another place
ANSWERS = {
    "Boredom and lack of opportunity at home": [
        "Honestly there was nothing to do in {home} once you were past about fifteen, the same two pubs and a bus every hour.",
        "I got restless in {home}; the jobs going were in the warehouse or the call centre and nothing in between.",
        "By sixth form I just knew {home} was too small for me, there was no theatre, no gigs, nothing that felt like a future.",
    ],
    "Attachment to the home area": [
        "People slag {home} off but I love it, everybody knows everybody and you are never on your own.",
        "I would not swap {home} for anywhere, my whole life is within about three streets.",
        "There is a proper community in {home}, the kind of place where neighbours take your bins in.",
    ],
    "Leaving for higher education": [
        "Going off to uni in {city} at eighteen was the first time I had lived anywhere other than {home}.",
        "University was the way out, really; once I had been to {city} for three years I was never going back.",
        "Nobody in my family had done a degree, so moving to {city} to study was a big deal for all of us.",
    ],
    "Straight from school into local work": [
        "I left college at seventeen and walked into a job at the retail park in {home} because it was there.",
        "I did not have a plan, I just needed money, so I took the first thing going in {home}.",
        "Most of my year went straight into work locally, factory, shops, care homes, whatever was hiring.",
    ],
    "Education and training later in life": [
        "In my late twenties I went back and did an access course at night, which I never thought I would.",
        "Work paid for me to do a level three in my thirties, and that opened things up a bit.",
        "I started an Open University module once the kids were at school.",
    ],
    "Family ties and caring": [
        "My mum is not well, so moving away from {home} was never really on the table for me.",
        "Everybody I rely on for childcare lives within a mile in {home}; you cannot take that with you.",
        "I came back to {home} to be near my grandparents when they needed help.",
    ],
    "Early parenthood": [
        "I had my first at nineteen, and after that it was about getting by, not about moving anywhere.",
        "Being a young dad changed everything, I took the job that fitted round nursery times.",
        "With a baby at twenty you do not go chasing jobs in {city}, you stay where the support is.",
    ],
    "Commuting instead of moving": [
        "The train from {home} into {city} is forty minutes, so why would I move when I can just commute?",
        "I drive to {city} every day for work and come home to {home} at night, it works for us.",
        "Plenty of people here work in {city} but live in {home} because it is cheaper and the links are good.",
    ],
    "Housing costs": [
        "Rent in {city} takes more than half of what I earn, and buying feels like a joke.",
        "You can get a whole house in {home} for what a room costs in {city}.",
        "We only stay in {city} because we split a flat four ways; on my own I could not afford it.",
    ],
    "Career opportunities elsewhere": [
        "The kind of job I do simply does not exist in {home}; {city} is where the work is.",
        "I got promoted twice in three years in {city}, that would never have happened back home.",
        "Moving to {city} gave me options, you can change employer without changing your whole life.",
    ],
    "Friends and social networks": [
        "Half my friends from school ended up in {city}, so it felt less scary to go.",
        "It took me ages to build up friends in {city}, at first I only knew people from work.",
        "My mates all stayed in {home}, which is a big part of why I did too.",
    ],
    "Moving away and coming back": [
        "I lived in {city} for a few years but came back to {home} when things did not work out.",
        "I tried {city} after college and lasted eighteen months before moving home again.",
        "I moved away twice and both times ended up back in {home}.",
    ],
}
FILLER = [
    "I am not sure, I have not really thought about it like that.",
    "It depends on the day, to be fair.",
    "That is a good question, I would have to think about it.",
    "I suppose it is much the same as anywhere else.",
]
PROMPTS = [
    "Can you tell me a bit about growing up where you did?",
    "What happened after you finished school or college?",
    "How did you end up living where you live now?",
    "What would make you move, or stay?",
    "How do you feel about the area these days?",
]
HOME_TOWNS = [
    "Ashbury",
    "Fenmere",
    "Holcombe",
    "Kirkwold",
    "Morfield",
    "Norbridge",
    "Pendleby",
    "Ramsholt",
    "Stanmoor",
    "Thornley",
    "Ulverby",
    "Wickham Vale",
]
HOT_CITIES = ["Bristol", "Leeds", "Manchester", "Cambridge", "Central London", "Reading", "Cardiff", "Edinburgh"]


def _quota(rng: np.random.Generator, n: int, share: float, weights=None) -> np.ndarray:
    """Exactly round(share * n) participants flagged, chosen at random (with optional weights)."""
    k = int(round(share * n))
    flags = np.zeros(n, dtype=bool)
    if k:
        p = None if weights is None else np.asarray(weights, float) / np.sum(weights)
        flags[rng.choice(n, size=k, replace=False, p=p)] = True
    return flags


def _people(rng: np.random.Generator) -> tuple[pd.DataFrame, dict]:
    """All participants with their attributes, and the quota counts used."""
    rows = []
    cold, hot = Q.REPORT_LOCATIONS[Q.COLD], Q.REPORT_LOCATIONS[Q.HOT]
    short_group = (str(rng.choice(cold)), str(rng.choice(list(AGE_BANDS))))
    g = 0
    for area, places in ((Q.COLD, cold), (Q.HOT, hot)):
        for place in places:
            for band, (lo, hi) in AGE_BANDS.items():
                g += 1
                size = GROUP_SIZE - ((place, band) == short_group)
                for i in range(1, size + 1):
                    rows.append(
                        {
                            "name": f"FG{g:02d}-P{i}",
                            Q.METHOD: Q.FOCUS_GROUP,
                            Q.AREA: area,
                            Q.TYPE: f"Focus group, {area.lower()}",
                            Q.LOCATION: place,
                            Q.GROUP: f"FG{g:02d} {place} {band}",
                            Q.AGE_BAND: band,
                            "Age": int(rng.integers(lo, hi + 1)),
                        }
                    )
    k = 0
    for kind, n in Q.REPORT_INTERVIEWS.items():
        area = Q.HOT if kind.startswith("Hot") or kind == "Cold to hot spot" else Q.COLD
        for _ in range(n):
            k += 1
            here = str(rng.choice(HOME_TOWNS)) if area == Q.COLD else str(rng.choice(HOT_CITIES))
            rows.append(
                {
                    "name": f"INT{k:02d}",
                    Q.METHOD: Q.INTERVIEW,
                    Q.AREA: area,
                    Q.TYPE: kind,
                    Q.LOCATION: here,
                    Q.GROUP: "",
                    Q.AGE_BAND: "25-40",
                    "Age": int(rng.integers(INTERVIEW_AGES[0], INTERVIEW_AGES[1] + 1)),
                }
            )
    people = pd.DataFrame(rows).set_index("name")
    people[Q.GENDER], people[Q.ETHNICITY], people[Q.QUALIFICATION], people[Q.CHILDREN] = "", "", "", False
    counts = {}
    for (method, area), q in QUOTAS.items():
        idx = people.index[(people[Q.METHOD] == method) & (people[Q.AREA] == area)]
        n = len(idx)
        sub = people.loc[idx]
        women = _quota(rng, n, q["women"])
        white = _quota(rng, n, q["white"])
        ethnic = np.where(white, "White", rng.choice(list(MINORITY_GROUPS), size=n, p=list(MINORITY_GROUPS.values())))
        below = rng.choice(list(BELOW_DEGREE), size=n, p=list(BELOW_DEGREE.values()))
        if method == Q.FOCUS_GROUP:
            pg = _quota(rng, n, q["postgrad"])
            rest = np.flatnonzero(~pg)
            ba = np.zeros(n, bool)
            ba[rest[_quota(rng, len(rest), q["bachelor"] * n / len(rest))]] = True
            level = np.where(pg, Q.POSTGRAD, np.where(ba, Q.DEGREE, below))
        else:
            grad = _quota(rng, n, q["degree"], weights=sub[Q.TYPE].map(GRADUATE_WEIGHT).to_numpy())
            level = np.where(grad, np.where(rng.random(n) < POSTGRAD_AMONG_GRADUATES, Q.POSTGRAD, Q.DEGREE), below)
        children = _quota(rng, n, q["children"], weights=np.where(sub["Age"] >= 30, 3.0, 1.0))
        people.loc[idx, Q.GENDER] = np.where(women, "Woman", "Man")
        people.loc[idx, Q.ETHNICITY] = ethnic
        people.loc[idx, Q.QUALIFICATION] = level
        people.loc[idx, Q.CHILDREN] = children
        counts[f"{method} / {area}"] = {
            "participants": n,
            "women": int(women.sum()),
            "white": int(white.sum()),
            "degree_or_higher": int(np.isin(level, [Q.DEGREE, Q.POSTGRAD]).sum()),
            "bachelor": int((level == Q.DEGREE).sum()),
            "postgraduate": int((level == Q.POSTGRAD).sum()),
            "dependent_children": int(children.sum()),
        }
    people[Q.CHILDREN] = people[Q.CHILDREN].map(bool).astype(object)
    people["Age"] = people["Age"].astype(object).map(int)
    people.loc[people[Q.GROUP] == "", Q.GROUP] = None
    return people, counts


def _lower_first(text: str) -> str:
    """Lower-case the first letter unless it starts a proper noun or 'I' (the templates start with neither)."""
    return (
        text
        if text.startswith(("I ", "I'")) or text[:1].isupper() and text.split()[0] in HOME_TOWNS + HOT_CITIES
        else text[:1].lower() + text[1:]
    )


def _answer(rng: np.random.Generator, theme: str, home: str, city: str) -> str:
    """One invented answer on a theme, placed in the speaker's home town and another city so quotes read as situated."""
    return str(rng.choice(ANSWERS[theme])).format(home=home, city=city)


def _transcripts(rng: np.random.Generator, people: pd.DataFrame, prevalence: dict, seed: int):
    """Write every transcript and record the coded spans; returns (sources, segments, mentions)."""
    types = list(Q.INTERVIEW_TYPES) + list(Q.GROUP_TYPES)
    mentions = {}
    for name, p in people.iterrows():
        probs = np.array([prevalence[t][p[Q.TYPE]] for t, *_ in THEMES])
        mentions[name] = [t for (t, *_), hit in zip(THEMES, rng.random(len(THEMES)) < probs) if hit]
    assert set(people[Q.TYPE]) <= set(types)

    def turns_for(name, p):
        here, kind = p[Q.LOCATION], p[Q.TYPE]
        if kind == "Cold to hot spot":
            home = str(rng.choice(HOME_TOWNS))
        elif kind == "Hot to different hot spot":
            home = str(rng.choice([c for c in HOT_CITIES if c != here]))
        else:
            home = here
        city = here if p[Q.AREA] == Q.HOT and here != home else str(rng.choice([c for c in HOT_CITIES if c != home]))
        out = []
        for theme in mentions[name]:
            for _ in range(1 + rng.poisson(EXTRA_MENTIONS[p[Q.METHOD]])):
                codes, body = [theme], _answer(rng, theme, home, city)
                others = [t for t in mentions[name] if t != theme]
                if others and rng.random() < SECOND_CODE:
                    # a passage that joins two themes: both sentences, both codes on the whole passage
                    other = str(rng.choice(others))
                    codes.append(other)
                    body += " And " + _lower_first(_answer(rng, other, home, city))
                out.append((codes, body))
        out += [([], str(rng.choice(FILLER))) for _ in range(1 + rng.integers(0, 2))]
        return out

    header = (
        "SYNTHETIC TRANSCRIPT generated by movers.synth.qual (seed {seed}). Invented text for testing the book; "
        "no real person said any of it.\n\n{title}\n\n"
    )
    sources, segments = {}, []

    def add(source, text_parts):
        text = ""
        for speaker, codes, body, who in text_parts:
            prefix = f"{speaker}: " if speaker else ""
            start = len(text) + len(prefix)
            text += prefix + body + "\n\n"
            for c in codes:
                segments.append(
                    {
                        "segment": "",
                        "participant": who,
                        "source": source,
                        "code": c,
                        "start": start,
                        "end": start + len(body),
                        "text": body,
                    }
                )
        sources[source] = text

    iv = people[people[Q.METHOD] == Q.INTERVIEW]
    for name, p in iv.iterrows():
        title = f"Interview {name}: {p[Q.TYPE].lower()}, {p[Q.GENDER].lower()}, aged {p['Age']}"
        parts = [(None, [], header.format(seed=seed, title=title).strip(), None)]
        turns = turns_for(name, p)
        for j in rng.permutation(len(turns)):
            codes, body = turns[j]
            parts.append(("Interviewer", [], str(rng.choice(PROMPTS)), None))
            parts.append((name, codes, body, name))
        add(f"Interview {name}", parts)
    fg = people[people[Q.METHOD] == Q.FOCUS_GROUP]
    for group, members in fg.groupby(Q.GROUP, sort=True):
        title = f"Focus group {group}"
        turns = [(name, codes, body) for name, p in members.iterrows() for codes, body in turns_for(name, p)]
        order = rng.permutation(len(turns))
        parts = [(None, [], header.format(seed=seed, title=title).strip(), None)]
        for i, j in enumerate(order):
            if i % 4 == 0:
                parts.append(("Moderator", [], str(rng.choice(PROMPTS)), None))
            name, codes, body = turns[j]
            parts.append((name, codes, body, name))
        add(group, parts)
    seg = pd.DataFrame(segments)
    return sources, seg, mentions


def build(seed: int) -> tuple[QualProject, dict]:
    """The synthetic project and its truth, without touching the disk (tests use it directly)."""
    rng = rng_for(seed, NAME)
    people, counts = _people(rng)
    types = list(Q.INTERVIEW_TYPES) + list(Q.GROUP_TYPES)
    prevalence = {t: dict(zip(types, map(float, p))) for t, _, _, p in THEMES}
    sources, seg, mentions = _transcripts(rng, people, prevalence, seed)
    codes = pd.DataFrame(
        [{"code": n, "parent": "", "description": d} for n, d in PARENT_CODES.items()]
        + [{"code": t, "parent": par, "description": d} for t, par, d, _ in THEMES]
    )
    palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"]
    codes["color"] = codes["parent"].map(lambda par: palette[list(PARENT_CODES).index(par)] if par else "#7f7f7f")
    codes["guid"] = ""
    proj = QualProject(
        name="Moving out to move on (synthetic)",
        codes=codes,
        participants=people,
        sources=sources,
        segments=seg,
        sets={
            "Focus groups": sorted(s for s in sources if not s.startswith("Interview")),
            "Interviews": sorted(s for s in sources if s.startswith("Interview")),
        },
        origin="movers.synth.qual",
    )
    proj.segments["segment"] = [
        guid_for("selection", s, str(a), str(b)) for s, a, b in zip(seg["source"], seg["start"], seg["end"])
    ]
    truth = {
        "file": FILE,
        "seed": int(seed),
        "focus_groups": int(people[Q.GROUP].nunique()),
        "focus_group_participants": int((people[Q.METHOD] == Q.FOCUS_GROUP).sum()),
        "interviews": {k: int(v) for k, v in people.loc[people[Q.METHOD] == Q.INTERVIEW, Q.TYPE].value_counts().items()},
        "quota_shares": {f"{m} / {a}": q for (m, a), q in QUOTAS.items()},
        "quota_counts": counts,
        "theme_prevalence": prevalence,
        "theme_parent": {t: par for t, par, _, _ in THEMES},
        "participants_mentioning": {t: sum(t in m for m in mentions.values()) for t, *_ in THEMES},
        "second_code_probability": SECOND_CODE,
        "extra_mentions_poisson_mean": EXTRA_MENTIONS,
    }
    return proj, truth


def generate(root: Path, seed: int, scale: float) -> None:
    """Write ``root/qual/moving_out_to_move_on.qdpx`` and ``truth.json`` (``scale`` is ignored: the design fixes the size)."""
    folder = Path(root) / NAME
    folder.mkdir(parents=True, exist_ok=True)
    proj, truth = build(seed)
    write_qdpx(proj, folder / FILE)
    write_truth(folder, truth)
